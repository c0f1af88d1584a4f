/**
 * The atoms of OTP's vocabulary that several layers of the node use, interned once here: message
 * tags, exit reasons, spawn options and the names of built-in servers. Atoms only one module
 * speaks stay in that module.
 */
import { atom } from '../../codec';

export const OK = atom('ok');
export const ERROR = atom('error');
export const YES = atom('yes');
export const CALL = atom('call');
export const TIMEOUT = atom('timeout');
export const NORMAL = atom('normal');
export const NOPROC = atom('noproc');
export const NOCONNECTION = atom('noconnection');
export const NODEDOWN = atom('nodedown');
export const BADARG = atom('badarg');
export const BADRPC = atom('badrpc');
export const UNDEF = atom('undef');
/** The tag of `{'EXIT', From, Reason}` and of `catch`'s `{'EXIT', Reason}`. */
export const EXIT_TAG = atom('EXIT');
/** The tag of `{'DOWN', Ref, process, Object, Reason}`. */
export const DOWN = atom('DOWN');
export const PROCESS = atom('process');
export const LINK = atom('link');
export const MONITOR = atom('monitor');
export const ALIAS = atom('alias');
export const SPAWN_REPLY = atom('spawn_reply');
export const GEN_CALL = atom('$gen_call');
export const GEN_CAST = atom('$gen_cast');
export const IS_AUTH = atom('is_auth');
export const ERPC = atom('erpc');
export const REX = atom('rex');
export const NET_KERNEL = atom('net_kernel');
