import * as net from 'net';
import * as tls from 'tls';
import { settleConnect } from './connect-attempt';
import { chainTooDeep, checkSslDistOptions, NodeSslOptions, nodeSslOptions, SslDistOptions, SslSide } from './ssl-options';
import { DistListener, DistTransport, TransportConnectOptions, TransportError, TransportListenOptions } from './transport';

/** Options of {@link tlsTransport} beside erl's own. */
export interface TlsTransportOptions {
  /** Names the options in errors, e.g. the optfile they were read from. Default `the TLS options`. */
  origin?: string;
  /** Limit in ms for an incoming peer's TLS handshake. Default 7000, erl's net_setuptime. */
  handshakeTimeout?: number;
}

const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 7000;

/**
 * TLS distribution, as erl's `-proto_dist inet_tls`: the same handshake and distribution
 * protocol inside TLS, each handshake message with a 4-byte length prefix (erl's TLS socket is
 * `{packet,4}` from the start). EPMD stays plain TCP.
 *
 * `options` are erl's (`server` for connections we accept, `client` for ones we make; see
 * {@link SslOptions}), checked now (unknown options throw {@link SslDistOptionError}); each
 * side's files are read when that side is first used. A client sends the dialed host as SNI,
 * as erl does. An incoming peer that fails the TLS handshake or the certificate checks is
 * dropped with one line to the listener's `log`.
 *
 * @example
 * ```ts
 * const transport = tlsTransport({
 *   server: { certfile: 'node.pem', keyfile: 'node-key.pem', cacertfile: 'ca.pem', verify: 'verify_peer', fail_if_no_peer_cert: true },
 *   client: { certfile: 'node.pem', keyfile: 'node-key.pem', cacertfile: 'ca.pem', verify: 'verify_peer' },
 * });
 * const node = await ErlNode.start({ name: 'ts', transport });
 * ```
 */
export function tlsTransport(options: SslDistOptions, extra: TlsTransportOptions = {}): DistTransport {
  const origin = extra.origin ?? 'the TLS options';
  checkSslDistOptions(options, origin);
  const sides = new Map<SslSide, NodeSslOptions>();
  const side = (which: SslSide): NodeSslOptions => {
    let built = sides.get(which);
    if (!built) sides.set(which, (built = nodeSslOptions(which, options[which] ?? {}, origin)));
    return built;
  };
  return {
    name: 'tls',
    handshakePrefixWidth: 4,
    // async: a side's bad options (read on first use) reject, as a failed connect or listen does.
    connect: async (host, port, connectOptions) => connectTls(host, port, connectOptions, side('client')),
    listen: async (listenOptions) => listenTls(listenOptions, side('server'), extra.handshakeTimeout ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS),
  };
}

function connectTls(
  host: string,
  port: number,
  { timeout, signal, hostName }: TransportConnectOptions,
  client: NodeSslOptions,
): Promise<net.Socket> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const named = client.serverName;
  const sniHost = named.from === 'option' ? named.name : named.from === 'host' ? (hostName ?? host) : undefined;
  const socket = tls.connect({
    ...client.tls,
    host,
    port,
    // SNI takes host names only, never an IP literal.
    servername: sniHost !== undefined && net.isIP(sniHost) === 0 ? sniHost : undefined,
    rejectUnauthorized: client.verifyPeer,
    // erl checks the name it sent as SNI; with server_name_indication disable, no name at all.
    checkServerIdentity: (_name, cert) => (sniHost === undefined ? undefined : tls.checkServerIdentity(sniHost, cert)),
  });
  socket.setNoDelay(true);
  return settleConnect(
    socket,
    'secureConnect',
    { timeout, signal },
    {
      accept: () => {
        const tooDeep = client.depth === undefined ? null : chainTooDeep(socket.getPeerCertificate(true), client.depth);
        return client.verifyPeer && tooDeep ? new Error(`the server's certificate is refused: ${tooDeep}`) : null;
      },
      failed: (error) => {
        const cause = new Error(`TLS handshake failed: ${tlsReason(error)}`, { cause: error });
        return new TransportError('connect_failed', `TLS connection to ${host}:${port}: ${cause.message}`, { cause });
      },
      timedOut: () => new TransportError('timeout', `no TLS connection to ${host}:${port} within ${timeout} ms`),
    },
  );
}

async function listenTls(
  { port, host, log }: TransportListenOptions,
  serverSide: NodeSslOptions,
  handshakeTimeout: number,
): Promise<DistListener> {
  const server = tls.createServer({
    ...serverSide.tls,
    noDelay: true,
    handshakeTimeout,
    requestCert: serverSide.verifyPeer,
    // Node would drop a client with a bad certificate without a word; we decide, and say why.
    rejectUnauthorized: false,
  });
  const refuse = (socket: tls.TLSSocket | net.Socket, why: string): void => {
    log?.(`refused a TLS distribution connection from ${peerOf(socket)}: ${why}`);
    socket.destroy();
  };
  server.on('tlsClientError', (error, socket) => refuse(socket, describeTlsError(error)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    onConnection: (handler) =>
      void server.on('secureConnection', (socket: tls.TLSSocket) => {
        const why = peerRefusal(socket, serverSide);
        if (why !== null) return refuse(socket, why);
        // Paused, so that the handshake, which reads first, sees every byte.
        socket.pause();
        handler(socket);
      }),
    // As tcp's: the port is free once close() returns; accepted sockets belong to their handlers.
    close: () => {
      server.close();
      return Promise.resolve();
    },
  };
}

/** Why erl's server checks would refuse this client's certificate, or null when they pass. */
function peerRefusal(socket: tls.TLSSocket, serverSide: NodeSslOptions): string | null {
  if (!serverSide.verifyPeer) return null;
  const cert = socket.getPeerCertificate(true);
  const presented = Object.keys(cert).length > 0;
  if (!presented) return serverSide.failIfNoPeerCert ? 'it sent no certificate (fail_if_no_peer_cert)' : null;
  if (!socket.authorized) return `its certificate is refused: ${String(socket.authorizationError)}`;
  return serverSide.depth === undefined ? null : chainTooDeep(cert, serverSide.depth);
}

function peerOf(socket: net.Socket): string {
  // An IPv4 peer of a dual-stack listener shows as ::ffff:a.b.c.d; say a.b.c.d, as erl would.
  const address = socket.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '');
  return address === undefined ? 'an unknown address' : `${address}:${socket.remotePort}`;
}

/** OpenSSL's short reason for a TLS failure: its message spans lines and names source files. */
function tlsReason(error: Error & { reason?: string }): string {
  return error.reason ?? error.message.split('\n')[0];
}

/** One line for an incoming peer's failed TLS handshake, saying what a plain TCP peer (the usual mistake) looks like. */
function describeTlsError(error: Error & { code?: string }): string {
  if (error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'no TLS handshake within the time limit';
  const reason = tlsReason(error);
  const plaintext = /wrong version number|http request|unknown protocol|packet length too long/i.test(reason);
  return `TLS handshake failed: ${reason}${plaintext ? ' (a peer speaking plain TCP distribution?)' : ''}`;
}
