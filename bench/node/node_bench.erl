%% The erl client of `npm run bench -- node`: the server workloads against each target node (an erl
%% node running fixtures/dist_demo/kvs.erl, and the TypeScript node running its kvs), then the client
%% workloads (the TypeScript node, told by a message to its bench_driver process, and this erl node
%% each calling kvs on the erl node), interleaved target by target, Rounds times. Prints
%% "BEGIN Workload Label" before and "END ..." right after each timed run (the bench samples the
%% nodes' CPU time then; a 50 ms pause after BEGIN lets the sample happen first), then
%% "RESULT Workload Label Ops Microseconds".
%%
%% Server workloads (Label: the node that serves):
%%   rpc_seq    rpc:call(Node, kvs, lookup, [weather]), one caller, one call in flight
%%   rpc_par    the same from Par concurrent callers
%%   msg_par    {kvs, Node} ! {self(), {lookup, weather}}, receive {kvs, _}, from Par concurrent callers
%%   store_seq  rpc:call(Node, kvs, store, [big, Bin]) with a 1 MiB binary, one caller
%% Client workloads (Label: the node that calls; the callee is always the erl kvs node):
%%   cli_seq    rpc:call(ErlNode, kvs, lookup, [weather]), one call in flight
%%   cli_par    the same, Par calls in flight
%% For the TypeScript client the time is measured by the TypeScript node around its own calls
%% (its bench_driver answers {bench_driver, Micros}).
-module(node_bench).
-export([run/7]).

run(Targets, TsNode, SeqCount, ParCount, StoreCount, Par, Rounds) ->
    Counts = {SeqCount, ParCount, StoreCount},
    {_, ErlNode} = lists:keyfind("erl", 1, Targets),
    Clients = [{"ts", TsNode}, {"erl", node()}],
    Big = binary:copy(<<"0123456789abcdef">>, 65536),
    [true = rpc:call(Node, kvs, store, [weather, fine]) || {_, Node} <- Targets],
    %% Warm up: connections, code paths, JIT.
    [begin seq(Node, 2000), par(Node, 8000, Par, fun rpc_lookup/1),
           par(Node, 8000, Par, fun msg_lookup/1), store(Node, Big, 20) end || {_, Node} <- Targets],
    [client(Workload, Client, ErlNode, 2000, Par) || Workload <- [cli_seq, cli_par], {_, Client} <- Clients],
    Server = [{W, L, N} || W <- [rpc_seq, rpc_par, msg_par, store_seq], {L, N} <- Targets],
    Client = [{W, L, N} || W <- [cli_seq, cli_par], {L, N} <- Clients],
    [begin
         Ops = ops(Workload, Counts),
         %% BEGIN and END let the bench read the nodes' CPU time around the timed part.
         io:format("BEGIN ~s ~s~n", [Workload, Label]),
         timer:sleep(50),
         Micros = timed(Workload, Node, ErlNode, Ops, Par, Big),
         io:format("END ~s ~s~n", [Workload, Label]),
         io:format("RESULT ~s ~s ~w ~w~n", [Workload, Label, Ops, Micros])
     end || _ <- lists:seq(1, Rounds), {Workload, Label, Node} <- Server ++ Client],
    ok.

ops(rpc_seq, {Seq, _, _}) -> Seq;
ops(cli_seq, {Seq, _, _}) -> Seq;
ops(store_seq, {_, _, Store}) -> Store;
ops(_, {_, Par, _}) -> Par.

timed(Workload, Node, ErlNode, Count, Par, _) when Workload =:= cli_seq; Workload =:= cli_par ->
    client(Workload, Node, ErlNode, Count, Par);
timed(Workload, Node, _, Count, Par, Big) ->
    {Micros, ok} = timer:tc(fun() -> workload(Workload, Node, Count, Par, Big) end),
    Micros.

workload(rpc_seq, Node, Count, _, _) -> seq(Node, Count);
workload(rpc_par, Node, Count, Par, _) -> par(Node, Count, Par, fun rpc_lookup/1);
workload(msg_par, Node, Count, Par, _) -> par(Node, Count, Par, fun msg_lookup/1);
workload(store_seq, Node, Count, _, Big) -> store(Node, Big, Count).

%% Client workloads: Client calls kvs on ErlNode Count times; returns the microseconds taken.
client(Workload, Client, ErlNode, Count, Par) when Client =:= node() ->
    {Micros, ok} = timer:tc(fun() ->
        case Workload of
            cli_seq -> seq(ErlNode, Count);
            cli_par -> par(ErlNode, Count, Par, fun rpc_lookup/1)
        end
    end),
    Micros;
client(Workload, Client, ErlNode, Count, Par) ->
    InFlight = case Workload of cli_seq -> 1; cli_par -> Par end,
    {bench_driver, Client} ! {self(), {rpc, ErlNode, Count, InFlight}},
    receive
        {bench_driver, Micros} when is_integer(Micros) -> Micros;
        {bench_driver, Other} -> exit({ts_client_failed, Other})
    after 120000 -> exit(no_answer_from_ts_client)
    end.

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

store(Node, Big, Count) ->
    repeat(fun() -> true = rpc:call(Node, kvs, store, [big, Big]) end, Count).

par(Node, Count, Par, Op) ->
    Self = self(),
    Pids = [spawn_link(fun() -> repeat(fun() -> Op(Node) end, Count div Par), Self ! {done, self()} end)
            || _ <- lists:seq(1, Par)],
    [receive {done, P} -> ok end || P <- Pids],
    ok.

repeat(_, 0) -> ok;
repeat(F, N) -> F(), repeat(F, N - 1).
