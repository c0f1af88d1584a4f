/**
 * The handshake layer: distribution flags, node names and cookies so far.
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
