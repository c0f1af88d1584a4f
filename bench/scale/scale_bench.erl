%% The erl side of `npm run bench -- scale`, loaded on every erl node of the bench.
%%
%% On the erl target node (the erlbridge node serves the same three functions from
%% bench/scale/served.ts, as module scale_bench):
%%   park()  a process blocked in receive until any message comes
%%   noop()  returns at once (the process spawned for it exits normal)
%%   gc()    a full collection everywhere, so that the memory measured after a load is what is kept
%%
%% On the client nodes (run through connect_bench's expression loop, bench/connect/erl.ts):
%%   load/3, park_many/2, release/1, spawn_time/4, call_times/2; every remote call has a timeout.
-module(scale_bench).
-export([park/0, noop/0, gc/0]).
-export([connect/1, disconnect/1, load/3, park_many/2, release/1, spawn_time/4, call_times/2]).

-define(CALL_TIMEOUT, 10000).

park() ->
    receive _ -> ok end.

noop() ->
    ok.

gc() ->
    [erlang:garbage_collect(P) || P <- processes()],
    ok.

connect(Node) ->
    true = net_kernel:connect_node(Node),
    ok.

disconnect(Node) ->
    erlang:disconnect_node(Node),
    ok.

%% rpc:call(Node, kvs, lookup, [weather]) in a loop from StartAt until EndAt (os:system_time in
%% milliseconds, so that every client starts and stops together). Returns {Late, Errors,
%% Latencies}: how many milliseconds after StartAt the loop began, the calls that failed, and the
%% nanoseconds of each call that answered.
load(Node, StartAt, EndAt) ->
    wait_until(StartAt),
    Late = os:system_time(millisecond) - StartAt,
    EndNative = erlang:monotonic_time() + erlang:convert_time_unit(EndAt - os:system_time(millisecond), millisecond, native),
    load_loop(Node, EndNative, 0, [], Late).

load_loop(Node, End, Errors, Lats, Late) ->
    T0 = erlang:monotonic_time(),
    case T0 >= End of
        true ->
            {Late, Errors, Lats};
        false ->
            case rpc:call(Node, kvs, lookup, [weather], ?CALL_TIMEOUT) of
                {ok, fine} ->
                    Ns = erlang:convert_time_unit(erlang:monotonic_time() - T0, native, nanosecond),
                    load_loop(Node, End, Errors, [Ns | Lats], Late);
                _ ->
                    load_loop(Node, End, Errors + 1, Lats, Late)
            end
    end.

wait_until(AtMs) ->
    case AtMs - os:system_time(millisecond) of
        Ms when Ms > 0 -> timer:sleep(Ms);
        _ -> ok
    end.

%% Spawn Count processes parked in receive on Node with spawn/4; their pids stay here for release/1.
park_many(Node, Count) ->
    Pids = [spawn(Node, scale_bench, park, []) || _ <- lists:seq(1, Count)],
    persistent_term:put({scale_bench_parked, Node}, Pids),
    length(Pids).

%% Wake every process park_many/2 left on Node (each then exits normal) and wait until all are gone.
release(Node) ->
    Pids = persistent_term:get({scale_bench_parked, Node}),
    Refs = [monitor(process, P) || P <- Pids],
    [P ! stop || P <- Pids],
    [receive {'DOWN', R, process, _, _} -> ok after ?CALL_TIMEOUT -> exit(park_not_released) end || R <- Refs],
    persistent_term:erase({scale_bench_parked, Node}),
    length(Pids).

%% Microseconds for Count spawn(Node, scale_bench, noop, []) calls made by Spawners concurrent
%% processes of this node (Count div Spawners each).
spawn_time(Node, Count, Spawners, Fun) ->
    Self = self(),
    Each = Count div Spawners,
    T0 = erlang:monotonic_time(microsecond),
    Pids = [spawn_link(fun() -> spawn_n(Node, Fun, Each), Self ! {spawned, self()} end) || _ <- lists:seq(1, Spawners)],
    [receive {spawned, P} -> ok after 120000 -> exit(spawn_timeout) end || P <- Pids],
    erlang:monotonic_time(microsecond) - T0.

spawn_n(_, _, 0) -> ok;
spawn_n(Node, Fun, N) ->
    _ = spawn(Node, scale_bench, Fun, []),
    spawn_n(Node, Fun, N - 1).

%% Nanoseconds of each of Count sequential rpc:call(Node, kvs, lookup, [weather]).
call_times(Node, Count) ->
    [begin
         T0 = erlang:monotonic_time(),
         {ok, fine} = rpc:call(Node, kvs, lookup, [weather], ?CALL_TIMEOUT),
         erlang:convert_time_unit(erlang:monotonic_time() - T0, native, nanosecond)
     end || _ <- lists:seq(1, Count)].
