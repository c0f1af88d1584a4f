/** What went wrong talking to EPMD, as a stable machine-readable code. */
export type EpmdErrorCode = 'timeout' | 'closed' | 'connect_failed' | 'malformed' | 'name_taken' | 'not_registered' | 'start_failed';

/** A failed EPMD request (client side), or an EPMD that {@link ensureEpmd} could not start. */
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
