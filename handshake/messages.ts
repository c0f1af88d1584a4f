/** First byte of each handshake message (dist_util.erl). */
export const enum HandshakeTag {
  Name = 78, // 'N': send_name (initiator) and challenge (acceptor), version 6
  OldName = 110, // 'n': version-5 send_name, still accepted from old initiators
  Status = 115, // 's'
  Complement = 99, // 'c': high flag bits and creation after an old 'n'
  ChallengeReply = 114, // 'r'
  ChallengeAck = 97, // 'a'
}

/** Handshake statuses an acceptor may answer with (besides `named:`). */
export type HandshakeStatus = 'ok' | 'ok_simultaneous' | 'nok' | 'not_allowed' | 'alive';

/** The initiator's introduction: `'N'`, or the old `'n'` which lacks high flags and creation. */
export interface SendName {
  flags: bigint;
  /** Null for an old `'n'`: it comes in the complement. */
  creation: number | null;
  /** The full node name, `name@host`. */
  name: string;
}

/** The acceptor's status. `named` (a dynamic name granted) carries the name and creation. */
export type StatusMessage = { status: HandshakeStatus } | { status: 'named'; name: string; creation: number };

/** The acceptor's `'N'` challenge. */
export interface Challenge {
  /** The acceptor's full preferred flags, not yet intersected with ours. */
  flags: bigint;
  challenge: number;
  creation: number;
  name: string;
}

/** The complement that follows an old `'n'`. */
export interface Complement {
  flagsHigh: number;
  creation: number;
}

/** The initiator's answer: its own challenge and the digest of the acceptor's. */
export interface ChallengeReply {
  challenge: number;
  digest: Buffer;
}
