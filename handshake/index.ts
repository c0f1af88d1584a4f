/**
 * The handshake layer: distribution flags, node names, cookies, and EPMD (client, embedded
 * server, ensureEpmd) so far.
 *
 * @packageDocumentation
 */
export { Cookie, CookieError, CookieJar, cookieFor, readCookieFile, resolveCookie } from './cookie';
export type { CookieOptions, CookieSource } from './cookie';
export { challengeDigest } from './digest';
export {
  advertisedFlags,
  DEFAULT_DIST_FLAGS,
  DIST_MANDATORY_25,
  DIST_MANDATORY_26,
  DistFlag,
  expandMandatory25,
  flagNames,
  missingFlags,
} from './dist-flags';
export type { DistFlagName } from './dist-flags';
export { ensureEpmd } from './ensure-epmd';
export type { EnsuredEpmd, EnsureEpmdOptions } from './ensure-epmd';
export { listNames, lookupNode, registerNode } from './epmd-client';
export type { EpmdClientOptions, EpmdRegistration } from './epmd-client';
export { EpmdError } from './epmd-error';
export type { EpmdErrorCode } from './epmd-error';
export { DEFAULT_EPMD_PORT, resolveEpmdPort } from './epmd-port';
export type { NamesReply, NodeAddress, RegisteredName } from './epmd-replies';
export { EpmdServer } from './epmd-server';
export type { EpmdServerOptions, RegisteredNode } from './epmd-server';
export {
  checkOwnNodeName,
  isValidNodeName,
  longHostName,
  makeNodeName,
  NodeNameError,
  parseNodeName,
  shortHostName,
} from './node-name';
export type { NameMode, NodeName } from './node-name';
