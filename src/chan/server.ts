/**
 * The lib_chan server: listens, runs one {@link runSession} per connection, and maps each config
 * service's module name to a registered TypeScript {@link ChanService}.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Channel } from './channel';
import { ChanConfig } from './config';
import { ChanConfigError } from './errors';
import { ChanService } from './service';
import { ChanLimitOptions, DEFAULT_HANDSHAKE_TIMEOUT_MS, HANDSHAKE_LIMITS, payloadLimits } from './limits';
import { SessionContext, runSession } from './session';
import { listen } from './transport';
import { KvsStore, MemoryKvsStore } from '../kvs/store';
import { modNameServer } from './mod_name_server';
import { modEcho } from './mod_echo';
import { modMath } from './mod_math';

/** Options of {@link startChanServer}; all optional. */
export interface ChanServerOptions extends ChanLimitOptions {
  /** The address to listen on. Default `127.0.0.1` (the book listens on all interfaces: pass `0.0.0.0` or `::` for that). */
  host?: string;
  /**
   * Connections open at once. Default 100, as in the book; but where the book stops accepting
   * until one closes, a connection beyond the limit is accepted and closed at once, so a full
   * server answers quickly instead of leaving clients hanging.
   */
  maxConnections?: number;
  /** Services by module name. Default {@link defaultChanModules} over `store`. */
  modules?: Record<string, ChanService>;
  /** The store of the default `mod_name_server` (a fresh in-memory one by default). */
  store?: KvsStore;
  /** Serve over TLS with these options (a key and certificate at least). */
  tls?: tls.TlsOptions;
  /** Where log lines go. Default: stderr, prefixed `lib_chan: `. */
  log?: (line: string) => void;
}

/** The built-in services: `mod_name_server` (over `store`), `mod_echo`, `mod_math`. */
export function defaultChanModules(store: KvsStore = new MemoryKvsStore()): Record<string, ChanService> {
  return { mod_name_server: modNameServer(store), mod_echo: modEcho, mod_math: modMath };
}

/** A running lib_chan server. */
export class ChanServer {
  private readonly channels = new Set<Channel>();

  private constructor(private readonly server: net.Server) {}

  /** @internal use {@link startChanServer}. */
  static async start(config: ChanConfig, options: ChanServerOptions = {}): Promise<ChanServer> {
    const modules = options.modules ?? defaultChanModules(options.store);
    for (const service of config.services) {
      if (!Object.prototype.hasOwnProperty.call(modules, service.module)) {
        throw new ChanConfigError(
          `service ${service.name}: no module ${service.module} is registered (have: ${Object.keys(modules).join(', ')})`,
        );
      }
    }
    const log = options.log ?? ((line: string) => process.stderr.write(`lib_chan: ${line}\n`));
    const maxConnections = options.maxConnections ?? 100;
    const context: SessionContext = {
      lookup(name) {
        const found = config.services.find((s) => s.name === name);
        return found && { config: found, service: modules[found.module] };
      },
      handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      payloadLimits: payloadLimits(options),
      log,
    };
    // Connections arrive only once the server listens, below: chanServer is set by then.
    const server = listen(options.tls, (socket) => {
      const channels = chanServer.channels;
      if (channels.size >= maxConnections) {
        log(`${socket.remoteAddress}:${socket.remotePort}: ${maxConnections} connections open already; refused`);
        socket.destroy();
        return;
      }
      const channel = new Channel(socket, HANDSHAKE_LIMITS, log);
      channels.add(channel);
      channel.onClose(() => channels.delete(channel));
      void runSession(channel, context);
    });
    const chanServer = new ChanServer(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return chanServer;
  }

  /** Where the server listens (the real port when the config said 0). */
  get address(): { host: string; port: number } {
    const address = this.server.address() as net.AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** Connections open now, in the handshake or in a service. */
  get sessionCount(): number {
    return this.channels.size;
  }

  /** Stop listening and close every connection. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const channel of this.channels) channel.destroy('the server is stopping');
    return closed;
  }
}

/** Start a lib_chan server for `config` (see {@link readChanConfig}); resolves once it listens. */
export function startChanServer(config: ChanConfig, options?: ChanServerOptions): Promise<ChanServer> {
  return ChanServer.start(config, options);
}
