%% The erl client of `npm run bench -- node`: the same three workloads against each target node
%% (an erl node running fixtures/dist_demo/kvs.erl, and the TypeScript node running its kvs),
%% interleaved target by target, Rounds times. Prints "BEGIN Workload Label" before and "END ..."
%% right after each timed run (the bench samples the servers' CPU time then; a 50 ms pause after
%% BEGIN lets the sample happen first), then "RESULT Workload Label Ops Microseconds".
%%
%%   rpc_seq   rpc:call(Node, kvs, lookup, [weather]), one caller, one call in flight
%%   rpc_par   the same from Par concurrent callers
%%   msg_par   {kvs, Node} ! {self(), {lookup, weather}}, receive {kvs, _}, from Par concurrent callers
-module(node_bench).
-export([run/5]).

run(Targets, SeqCount, ParCount, Par, Rounds) ->
    [true = rpc:call(Node, kvs, store, [weather, fine]) || {_, Node} <- Targets],
    %% Warm up: connections, code paths, JIT.
    [begin seq(Node, SeqCount div 5), par(Node, ParCount div 5, Par, fun rpc_lookup/1),
           par(Node, ParCount div 5, Par, fun msg_lookup/1) end || {_, Node} <- Targets],
    [begin
         Ops = case Workload of rpc_seq -> SeqCount; _ -> ParCount end,
         %% BEGIN and END let the bench read the servers' CPU time around the timed part.
         io:format("BEGIN ~s ~s~n", [Workload, Label]),
         timer:sleep(50),
         {Micros, ok} = timer:tc(fun() -> workload(Workload, Node, SeqCount, ParCount, Par) end),
         io:format("END ~s ~s~n", [Workload, Label]),
         io:format("RESULT ~s ~s ~w ~w~n", [Workload, Label, Ops, Micros])
     end || _ <- lists:seq(1, Rounds), Workload <- [rpc_seq, rpc_par, msg_par], {Label, Node} <- Targets],
    ok.

workload(rpc_seq, Node, Count, _, _) -> seq(Node, Count);
workload(rpc_par, Node, _, Count, Par) -> par(Node, Count, Par, fun rpc_lookup/1);
workload(msg_par, Node, _, Count, Par) -> par(Node, Count, Par, fun msg_lookup/1).

rpc_lookup(Node) ->
    {ok, fine} = rpc:call(Node, kvs, lookup, [weather]).

msg_lookup(Node) ->
    {kvs, Node} ! {self(), {lookup, weather}},
    receive
        {kvs, {ok, fine}} -> ok
    after 10000 -> exit(no_answer)
    end.

seq(Node, Count) ->
    repeat(fun() -> rpc_lookup(Node) end, Count).

par(Node, Count, Par, Op) ->
    Self = self(),
    Pids = [spawn_link(fun() -> repeat(fun() -> Op(Node) end, Count div Par), Self ! {done, self()} end)
            || _ <- lists:seq(1, Par)],
    [receive {done, P} -> ok end || P <- Pids],
    ok.

repeat(_, 0) -> ok;
repeat(F, N) -> F(), repeat(F, N - 1).
