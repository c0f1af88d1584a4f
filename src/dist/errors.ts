/** Why a distribution connection was closed: each is logged with the peer's name. */
export type DistErrorCode =
  | 'frame_too_large'
  | 'bad_header'
  | 'atom_cache'
  | 'fragment'
  | 'fragment_memory'
  | 'bad_control'
  | 'bad_term'
  | 'closed'
  | 'overloaded'
  | 'send_timeout';

/** A protocol violation on one connection. The node closes that connection and keeps running. */
export class DistError extends Error {
  constructor(
    readonly code: DistErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DistError';
  }
}
