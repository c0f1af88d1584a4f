/** What went wrong talking to EPMD, as a stable machine-readable code. */
export type EpmdErrorCode =
  | 'timeout'
  | 'closed'
  | 'connect_failed'
  | 'malformed'
  | 'name_taken'
  | 'not_registered';

/** A failed EPMD request (client side). */
export class EpmdError extends Error {
  override readonly name = 'EpmdError';

  constructor(
    readonly code: EpmdErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
