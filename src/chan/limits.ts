/**
 * The defaults that make lib_chan stricter than the book, and how they become channel limits.
 */
import { DecodeLimits } from '../../codec';
import { ChannelLimits } from './channel';

/** Limits and timeouts of lib_chan connections; every field has a safe default. */
export interface ChanLimitOptions {
  /** Milliseconds allowed for each handshake step (and, on the client, for connecting). Default 10 s. */
  handshakeTimeout?: number;
  /** The largest frame after authentication. Default 16 MiB. */
  maxFrameSize?: number;
  /** Extra decode limits for payload frames (the codec's safe defaults otherwise). */
  decodeLimits?: Partial<DecodeLimits>;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/**
 * Before authentication a peer is a stranger: handshake frames are tiny, so they may be at most
 * 64 KiB and create at most 32 new atoms.
 */
export const HANDSHAKE_LIMITS: ChannelLimits = {
  maxFrameSize: 64 * 1024,
  decode: { maxInputSize: 64 * 1024, maxDecompressedSize: 64 * 1024, maxAtoms: 32 },
};

/** The limits for payload frames. */
export function payloadLimits(options: ChanLimitOptions): ChannelLimits {
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  return {
    maxFrameSize,
    decode: { maxInputSize: maxFrameSize, maxDecompressedSize: maxFrameSize, ...options.decodeLimits },
  };
}
