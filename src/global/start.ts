/**
 * Starting global on a node: global_name_server (registered), its locker and registrar, the
 * process that holds locks taken from TypeScript, and the {@link Global} API over them.
 */
import { atom, Atom } from '../../codec';
import type { ErlProcess } from '../process/process';
import { GLOBAL_NAME_SERVER } from './atoms';

const SHUTDOWN = atom('shutdown');
import { Global } from './global';
import { Registrar } from './registrar';
import { GlobalServer, GlobalServerHost } from './server';

export interface GlobalNodeHost extends GlobalServerHost {
  /** Register `proc` under `name` on this node; false when the name is taken. */
  register(name: Atom, proc: ErlProcess): boolean;
  /** The visible nodes connected now (erl's `nodes()`). */
  visibleNodes(): string[];
}

export interface StartedGlobal {
  server: GlobalServer;
  api: Global;
  /** End global's processes (the node is stopping). */
  readonly stop: () => void;
}

export function startGlobal(host: GlobalNodeHost): StartedGlobal {
  const proc = host.newProcess();
  if (!host.register(GLOBAL_NAME_SERVER, proc)) throw new Error('global_name_server is registered already');
  const server = new GlobalServer(proc, host);
  const registrar = new Registrar(host.newProcess(), server, host.me);
  const holder = host.newProcess();
  const api = new Global(server, registrar, holder, host.me, () => host.visibleNodes());
  const stop = () => {
    for (const p of [holder, registrar.proc, server.locker.proc, proc]) p.exit(SHUTDOWN);
  };
  return { server, api, stop };
}
