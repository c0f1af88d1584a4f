/**
 * An erl process that calls `rpc:call(Node, kvs, lookup, [Key])` at a steady pace and times each
 * call: how a test or bench under load sees that the node still serves. Both halves are erl
 * expressions, for any expression evaluator (OtpNode.eval, bench/connect's ErlBenchNode.eval):
 * {@link startKvsCaller} registers the caller and returns `ok`, {@link stopKvsCaller} stops it
 * and answers the figures, read with {@link kvsCallFigures}.
 */

export interface KvsCallerOptions {
  /** The node called. */
  node: string;
  /** The name the caller is registered under on the erl node. */
  name: string;
  /** The key looked up, an atom, and the value it must give (`{ok, Value}`), also an atom. */
  key: string;
  value: string;
  /** The pause before each call, ms. */
  everyMs: number;
  /** rpc:call's timeout, ms: a call that takes longer counts as failed. */
  callTimeoutMs: number;
  /** The caller stops by itself after this many ms, should nobody stop it. */
  maxMs: number;
}

/** An erl expression: start the caller; answers `ok`. */
export function startKvsCaller(o: KvsCallerOptions): string {
  return `
  Node = '${o.node}',
  End = erlang:monotonic_time(millisecond) + ${o.maxMs},
  Loop = fun L(Times, Bad) ->
    receive {stop, From} -> From ! {calls, Times, Bad}
    after ${o.everyMs} ->
      case erlang:monotonic_time(millisecond) >= End of
        true -> receive {stop, From} -> From ! {calls, Times, Bad} end;
        false ->
          T0 = erlang:monotonic_time(microsecond),
          R = rpc:call(Node, kvs, lookup, ['${o.key}'], ${o.callTimeoutMs}),
          T1 = erlang:monotonic_time(microsecond),
          case R of {ok, '${o.value}'} -> L([T1 - T0 | Times], Bad); _ -> L(Times, [R | Bad]) end
      end
    end
  end,
  register('${o.name}', spawn(fun() -> Loop([], []) end)),
  ok`;
}

/** An erl expression: stop the caller; `{Calls, Failed, P50, P99, Max, FirstFailures}` (µs). */
export function stopKvsCaller(name: string): string {
  return `
  '${name}' ! {stop, self()},
  receive {calls, Times, Bad} ->
    S = lists:sort(Times), N = length(S),
    Nth = fun(_, []) -> 0; (I, L) -> lists:nth(max(1, I), L) end,
    {N, length(Bad), Nth(N div 2, S), Nth(N * 99 div 100, S), Nth(N, S), lists:sublist(Bad, 3)}
  after 30000 -> caller_gone
  end`;
}

/** What the caller measured: calls answered as expected, the others, and the answered ones' latency (µs). */
export interface KvsCallFigures {
  calls: number;
  failed: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** The answer as erl printed it (with the first failures). */
  text: string;
}

/** {@link stopKvsCaller}'s answer, as numbers. */
export function kvsCallFigures(text: string): KvsCallFigures {
  const m = /^\{(\d+),(\d+),(\d+),(\d+),(\d+),/.exec(text);
  if (m === null) throw new Error(`erl kvs caller: ${text}`);
  const [calls, failed, p50Us, p99Us, maxUs] = m.slice(1).map(Number);
  return { calls, failed, p50Us, p99Us, maxUs, text };
}
