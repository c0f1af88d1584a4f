/**
 * lib_chan: the book's socket-based distribution (Programming Erlang, 14.6), server and client,
 * wire-compatible with the book's Erlang code and stricter where that is safe.
 * @packageDocumentation
 */
export { Channel } from './channel';
export type { ChanWaitOptions, ChannelLimits } from './channel';
export { connect, secretFromText } from './client';
export type { ChanConnectOptions } from './client';
export { ChanServer, startChanServer, defaultChanModules } from './server';
export type { ChanServerOptions } from './server';
export { parseChanConfig, readChanConfig } from './config';
export type { ChanConfig, ChanServiceConfig } from './config';
export type { ChanService } from './service';
export type { KvsStore } from '../kvs/store';
export { MemoryKvsStore } from '../kvs/store';
export { modNameServer } from './mod_name_server';
export { modEcho } from './mod_echo';
export { modMath, factorial, fibonacci, MOD_MATH_MAX_N } from './mod_math';
export { makeChallenge, challengeResponse, isResponseCorrect } from './auth';
export { frame, FrameReader } from './frame';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_FRAME_SIZE, HANDSHAKE_LIMITS } from './limits';
export type { ChanLimitOptions } from './limits';
export {
  ChanError,
  BadServiceError,
  AuthFailError,
  ChannelClosedError,
  ChanTimeoutError,
  ChanProtocolError,
  ChanConfigError,
} from './errors';
export type { ChanErrorCode } from './errors';
