/**
 * The handshake layer: turns a socket into an authenticated Erlang distribution peer.
 *
 * - Transport (`transport/`): the {@link DistTransport} seam under the handshake, implemented
 *   by {@link tcpTransport} and {@link tlsTransport} (erl's `-proto_dist inet_tls`, configured
 *   with erl's options: {@link SslDistOptions}, or an optfile through
 *   {@link readSslDistOptfile} / {@link tlsTransportFromOptfile}); {@link lengthPrefixed}
 *   framing for `{packet,2}` and `{packet,4}`.
 * - EPMD (`epmd/`, always over TCP): {@link registerNode}, {@link lookupNode}, {@link listNames}
 *   (client); {@link EpmdServer} and {@link ensureEpmd} (embedded server, detached like
 *   `epmd -daemon`).
 * - Identity: {@link makeNodeName} and friends for `name@host`; {@link resolveCookie},
 *   {@link Cookie} (never printed) and {@link CookieJar} (per-node cookies).
 * - The handshake (version 6, `'N'` messages): {@link connectToNode} (EPMD lookup + connect +
 *   initiator, remembering addresses and ports in a {@link DialCache}), {@link initiateHandshake}, {@link acceptHandshake}; flags in {@link DistFlag}.
 *
 * It knows nothing of terms or processes. A successful handshake hands over a paused socket and
 * any bytes already read, for the node layer's `{packet,4}` framing. `erlbridge` re-exports all of
 * it as the namespace `handshake`; most programs need only the options of erlbridge's `ErlNode`.
 *
 * @module erlbridge/handshake
 */
export { acceptHandshake } from './acceptor';
export type { AcceptorOptions, IncomingPeer } from './acceptor';
export { connectToNode } from './connect';
export type { ConnectOptions } from './connect';
export { DialCache } from './dial-cache';
export type { DialCacheLimits, EpmdAnswer, EpmdEntryKey } from './dial-cache';
export { Cookie, CookieError, CookieJar, cookieFor, readCookieFile, resolveCookie } from './cookie';
export type { CookieErrorCode, CookieOptions, CookieSource } from './cookie';
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
} from './flags';
export type { DistFlagName } from './flags';
export { ensureEpmd } from './epmd/ensure';
export type { EnsuredEpmd, EnsureEpmdOptions } from './epmd/ensure';
export { listNames, lookupNode, registerNode } from './epmd/client';
export type { EpmdClientOptions, EpmdRegistration } from './epmd/client';
export { EpmdError } from './epmd/errors';
export type { EpmdErrorCode } from './epmd/errors';
export { DEFAULT_EPMD_PORT, resolveEpmdPort } from './epmd/port';
export type { EpmdNode } from './epmd/node';
export type { NamesReply } from './epmd/replies';
export { EpmdServer } from './epmd/server';
export type { EpmdServerOptions } from './epmd/server';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './options';
export type { HandshakeOptions, HandshakeResult } from './options';
export {
  BadCookieError,
  HandshakeError,
  HandshakeRefusedError,
  HandshakeTimeoutError,
  MalformedMessageError,
  MissingFlagsError,
  NameMismatchError,
  OversizedMessageError,
} from './errors';
export type { HandshakeErrorCode } from './errors';
export type { HandshakeStatus } from './messages';
export { initiateHandshake } from './initiator';
export type { InitiatorOptions } from './initiator';
export { dynamicNodeName, randomCreation } from './dynamic-name';
export {
  checkOwnNodeName,
  checkPeerHost,
  isValidNodeName,
  nameModeOf,
  longHostName,
  makeNodeName,
  NodeNameError,
  parseNodeName,
  shortHostName,
} from './node-name';
export type { NameMode, NodeName, NodeNameErrorCode } from './node-name';
export { simultaneousConnectStatus } from './simultaneous-connect';
export { parseSslDistOptfile, readSslDistOptfile, tlsTransportFromOptfile } from './ssl-dist-optfile';
export type { SimultaneousConnectStatus } from './simultaneous-connect';
export { lengthPrefixed, lengthPrefixedAt, readLengthPrefix, writeLengthPrefix } from './transport/length-prefix';
export type { PrefixWidth } from './transport/length-prefix';
export { SslDistOptionError } from './transport/ssl-options';
export type { SslDistOptionErrorCode, SslDistOptions, SslOptions, SslSide, SslVersion } from './transport/ssl-options';
export { tcpTransport } from './transport/tcp';
export { listenInRange } from './transport/listen-range';
export type { DistListenOptions } from './transport/listen-range';
export { tlsTransport } from './transport/tls';
export type { TlsTransportOptions } from './transport/tls';
export { TransportError } from './transport/transport';
export type {
  DistListener,
  DistTransport,
  TransportConnectOptions,
  TransportErrorCode,
  TransportListenOptions,
} from './transport/transport';
