/**
 * The atoms of pg's vocabulary (lib/kernel/src/pg.erl): the wire messages between scopes, the
 * calls a scope answers, and the subscription notifications. Interned once here.
 */
import { atom } from '../../codec';

/** The default scope, which erl's kernel starts (`start_pg`) and every TypeScript node runs. */
export const PG = atom('pg');
export const DISCOVER = atom('discover');
export const SYNC = atom('sync');
export const JOIN = atom('join');
export const LEAVE = atom('leave');
export const NODEUP = atom('nodeup');
export const NODEDOWN = atom('nodedown');
export const JOIN_LOCAL = atom('join_local');
export const LEAVE_LOCAL = atom('leave_local');
export const MONITOR = atom('monitor');
export const DEMONITOR = atom('demonitor');
export const NOT_JOINED = atom('not_joined');
export const NOLOCAL = atom('nolocal');
