/**
 * Lists of pids as pg keeps them: a pid may be in a group several times (once per join), and
 * removing takes one occurrence per pid removed, as Erlang's `--` does.
 */
import { Pid } from '../../codec';
import { samePid } from '../process/identity';

/**
 * `List -- Remove`: a copy of `list` without one occurrence of each pid of `remove`.
 * `removed` collects the pids that were found (in `remove`'s order).
 */
export function subtract(list: readonly Pid[], remove: readonly Pid[], removed?: Pid[]): Pid[] {
  const rest = [...list];
  for (const pid of remove) {
    const i = rest.findIndex((p) => samePid(p, pid));
    if (i < 0) continue;
    rest.splice(i, 1);
    removed?.push(pid);
  }
  return rest;
}
