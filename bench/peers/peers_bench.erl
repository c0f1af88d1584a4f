%% The erl client of `npm run bench -- peers`, called through bench/connect's expression loop: it
%% talks to the registered process kvs on a server node with plain messages, as the book's kvs
%% protocol has it ({From, {store, K, V}} -> {kvs, true}; {From, {lookup, K}} -> {kvs, {ok, V}} or
%% {kvs, undefined}).
%%
%%   connect(Node)              net_adm:ping with a timeout (a node that ignores net_kernel's
%%                              is_auth would make it hang): pong | pang | timeout
%%   check(Node)                the same answers from every server, or an exit saying which differed
%%   run(Workload, Node, Count) microseconds of Count operations:
%%     seq          {kvs, Node} ! {self(), {lookup, weather}}, receive {kvs, {ok, fine}}; one sender
%%     par          the same from Par (8) concurrent senders, Count in all
%%     kib          store of a 1 KiB binary, then its lookup; one sender (an operation is both)
%%     mib_store    store of a 1 MiB binary; one sender
%%     big_store    store of a 10 MiB binary; one sender
%%     big_lookup   lookup of that 10 MiB binary; one sender
-module(peers_bench).
-export([connect/1, check/1, run/3]).

-define(PAR, 8).
-define(TIMEOUT, 30000).

connect(Node) ->
    Self = self(),
    Pinger = spawn(fun() -> Self ! {ping, self(), net_adm:ping(Node)} end),
    receive
        {ping, Pinger, Answer} -> Answer
    after ?TIMEOUT ->
        exit(Pinger, kill),
        timeout
    end.

check(Node) ->
    Term = {tuple, [1, 2.5, -7, 1 bsl 70], <<"bin">>, "str", #{k => v}, self()},
    Expected = [{kvs, true}, {kvs, {ok, Term}}, {kvs, undefined}, {kvs, true}, {kvs, {ok, fine}}],
    Got = [ask(Node, Q) || Q <- [{store, check, Term}, {lookup, check}, {lookup, nothing}, {store, weather, fine}, {lookup, weather}]],
    case Got of
        Expected -> ok;
        _ -> exit({Node, answered, Got})
    end.

run(Workload, Node, Count) ->
    Op = op(Workload, Node),
    {Micros, ok} = timer:tc(fun() ->
        case Workload of
            par -> par(Op, Count);
            _ -> repeat(Op, Count)
        end
    end),
    Micros.

op(Seq, Node) when Seq =:= seq; Seq =:= par ->
    fun() -> {kvs, {ok, fine}} = ask(Node, {lookup, weather}) end;
op(kib, Node) ->
    Bin = binary(kib, 1024),
    fun() ->
        {kvs, true} = ask(Node, {store, kib, Bin}),
        {kvs, {ok, Got}} = ask(Node, {lookup, kib}),
        1024 = byte_size(Got)
    end;
op(mib_store, Node) ->
    Bin = binary(mib, 1 bsl 20),
    fun() -> {kvs, true} = ask(Node, {store, mib, Bin}) end;
op(big_store, Node) ->
    Bin = binary(big, 10 bsl 20),
    fun() -> {kvs, true} = ask(Node, {store, big, Bin}) end;
op(big_lookup, Node) ->
    {kvs, true} = ask(Node, {store, big, binary(big, 10 bsl 20)}),
    fun() ->
        {kvs, {ok, Got}} = ask(Node, {lookup, big}),
        10 bsl 20 = byte_size(Got)
    end.

%% One binary of each size for the whole run, so that building it is never timed.
binary(Name, Size) ->
    Key = {?MODULE, Name},
    case persistent_term:get(Key, none) of
        none ->
            Bin = binary:copy(<<"0123456789abcdef">>, Size div 16),
            persistent_term:put(Key, Bin),
            Bin;
        Bin ->
            Bin
    end.

ask(Node, Query) ->
    {kvs, Node} ! {self(), Query},
    receive
        {kvs, _} = Answer -> Answer
    after ?TIMEOUT -> exit({no_answer, Node, Query})
    end.

par(Op, Count) ->
    Self = self(),
    Pids = [spawn_link(fun() -> repeat(Op, Count div ?PAR), Self ! {done, self()} end) || _ <- lists:seq(1, ?PAR)],
    [receive {done, P} -> ok after 10 * ?TIMEOUT -> exit(par_timeout) end || P <- Pids],
    ok.

repeat(_, 0) -> ok;
repeat(F, N) -> F(), repeat(F, N - 1).
