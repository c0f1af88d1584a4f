/**
 * A {@link RemoteSignals} for tests of a process table without a network: every signal to
 * another node is dropped, except those `overrides` record.
 */
import { RemoteSignals } from '../../src/process/table';

export function ignoredRemoteSignals(overrides: Partial<RemoteSignals> = {}): RemoteSignals {
  const ignore = (): void => undefined;
  return {
    send: ignore,
    sendNamed: ignore,
    sendAlias: ignore,
    link: ignore,
    unlink: ignore,
    exit: ignore,
    monitor: ignore,
    demonitor: ignore,
    monitorExit: ignore,
    ...overrides,
  };
}
