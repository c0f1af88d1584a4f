/**
 * erlbridge: a Node.js program as a real node of an Erlang cluster.
 * @packageDocumentation
 */
export * from '../codec';

/** lib_chan, the book's socket-based distribution: `libChan.connect`, `libChan.startChanServer`, ... */
export * as libChan from './chan';

/** Calling into Erlang from TypeScript: erpc `rpc`, `rpcCall` (rpc:call's results), gen_server `call`/`cast`, `send`, remote `spawn`. */
export { ErlClient, ErlTimeoutError, ErpcError, RemoteError, GenCallError, SpawnError, rpcifyError } from './rpc/client';
export type { CallOptions, RpcOptions, RemoteSpawnOptions } from './rpc/client';

/** gen_server in TypeScript: `startGenServer(node, impl, {name})`, `NOREPLY` and `reply(from, value)`. */
export { startGenServer, reply, replyAlias, NOREPLY, From } from './gen/gen-server';
export type { GenServer, GenServerContext, GenServerHandle, StartGenServerOptions, CallResult } from './gen/gen-server';

/** The book's dist_demo loop, for `dist_demo:start(Node)` from erl. */
export { serveDistDemo } from './demo/dist-demo';
