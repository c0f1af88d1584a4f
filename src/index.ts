/**
 * erlbridge: a Node.js program as a real node of an Erlang cluster.
 *
 * Start with {@link ErlNode} (join a cluster, serve modules, spawn processes, `node.global`,
 * `node.pg`), then {@link ErlClient} (call Erlang from TypeScript), {@link startGenServer} (a
 * gen_server in TypeScript) and `libChan` (the book's socket-based distribution). The term model
 * (`atom`, `tuple`, `encode`, `formatTerm`, ...) is re-exported from `erlbridge/codec`; EPMD,
 * cookies and the handshake are the namespace `handshake` (also `erlbridge/handshake`). The guides
 * are in the repository's docs/ folder (docs/README.md).
 *
 * @module erlbridge
 */
export * from '../codec';

/** The node: joining a cluster, processes, the modules it serves. */
export { ErlNode } from './node/node';
export type { NodeEpmd, NodeEvents, NodeInfo, NodeKind, NodeOptions, SpawnOptions, StopOptions } from './node/node';
export type { Builtins, BuiltinServer } from './node/builtins';
export type { Connection, CloseReason, ConnectionEvents, ConnectionLimits } from './dist/connection';
export type { DistMessage } from './dist/message-reader';
export { DistError } from './dist/errors';
export type { DistErrorCode } from './dist/errors';
export { ErlProcess } from './process/process';

/** The node's logger (`node.logger`): erl's levels, its text or JSON lines, crash reports. */
export { Logger } from './process/logger';
export { LOG_SEVERITIES } from './process/log-event';
export type { LogEvent, LogField, LogFormat, LogLevel, LogMetadata, LogSeverity } from './process/log-event';
export type { Destination, GlobalDestination, HeldMonitor } from './process/process';
export { ReceiveTimeoutError, ProcessExitedError } from './process/mailbox';
export { DEFAULT_MAILBOX_WARN_LEN } from './process/mailbox-limits';
export type { MailboxLimits } from './process/mailbox-limits';
export type { ReceiveOptions, Matcher } from './process/mailbox';
export { ErlTimeoutError } from './process/deadline';
export type { WaitOptions } from './process/deadline';
export { ErlangError, ErlangExit, ErlangThrow, RemoteError } from './process/exceptions';
export { ModuleRegistry, withArity } from './rpc/modules';
export type { CallContext, ErlFunction, ModuleDefinition, ModuleOptions, SpawnableFunction } from './rpc/modules';
/** Served functions with typed argument patterns, as Erlang function clauses: `clause([P.int, P.int], (a, b) => a + b)`. */
export { clause, clauses, CallRejectedError } from './rpc/clause';
export type { ClauseFunction, ClauseOptions } from './rpc/clause';
export type { SpawnRequestOptions } from './rpc/remote-spawn';

/** global on the node (`node.global`): cluster-wide names and locks, as OTP's global. */
export { Global } from './global/global';
export type { GlobalName, GlobalLockId } from './global/global';

/** pg on the node (`node.pg`): process groups in any scope, as OTP's pg. */
export { Pg } from './pg/pg';
export type { PidOrPids, ScopeName } from './pg/pg';
export type { Scope } from './pg/scope';
export { PgGroupMonitor, PgScopeMonitor, PgSubscription } from './pg/monitor';
export type { PgEvent } from './pg/monitor';

/** The book's kvs, as an rpc module and the registered process `kvs`. */
export { serveKvs } from './kvs/kvs';
export { MemoryKvsStore } from './kvs/store';
export type { KvsStore } from './kvs/store';

/** EPMD, cookies and the handshake, for programs that need them directly. */
export * as handshake from '../handshake';

/**
 * TLS distribution (erl's `-proto_dist inet_tls`): `tlsTransport(options)` or
 * `tlsTransportFromOptfile(file)` as {@link NodeOptions.transport}, or simply `tls: { optfile }`.
 */
export { readSslDistOptfile, SslDistOptionError, tlsTransport, tlsTransportFromOptfile } from '../handshake';
export type { SslDistOptionErrorCode, SslDistOptions, SslOptions, SslVersion, TlsTransportOptions } from '../handshake';

/** lib_chan, the book's socket-based distribution: `libChan.connect`, `libChan.startChanServer`, ... */
export * as libChan from './chan';

/** Calling into Erlang from TypeScript: erpc `rpc`, `rpcCall` (rpc:call's results), gen_server `call`/`cast`, `send`, remote `spawn`. */
export { ErlClient } from './rpc/client';
export type { CallOptions, RpcHost, RpcOptions, RemoteSpawnOptions } from './rpc/client';
export { ErpcError, SpawnError } from './rpc/errors';
export { GenCallError } from './gen/call';

/** gen_server in TypeScript: `startGenServer(node, impl, {name})`, `NOREPLY` and `reply(from, value)`. */
export { startGenServer, reply, NOREPLY, From } from './gen/server';
export type { GenHost, GenServer, GenServerContext, GenServerHandle, StartGenServerOptions, CallResult } from './gen/server';

/** Phoenix.PubSub over pg (the PG2 adapter's wire format): `PhoenixPubSub.start(node, { name: 'MyApp.PubSub' })`. */
export { PhoenixPubSub } from './phoenix/pubsub';
export type { BroadcastOptions, PhoenixPubSubOptions, SubscribeOptions } from './phoenix/pubsub';
export { PubSubSubscription } from './phoenix/subscription';
export type { Topic } from './phoenix/messages';

/** The book's dist_demo loop, for `dist_demo:start(Node)` from erl. */
export { serveDistDemo } from './demo/dist-demo';
