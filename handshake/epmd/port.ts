/** The well-known EPMD port. */
export const DEFAULT_EPMD_PORT = 4369;

/** The EPMD port: `explicit` if given, else `ERL_EPMD_PORT`, else 4369. */
export function resolveEpmdPort(explicit?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) return explicit;
  const fromEnv = Number(env.ERL_EPMD_PORT);
  return Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 65536 ? fromEnv : DEFAULT_EPMD_PORT;
}
