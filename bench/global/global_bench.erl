%% The erl side of `npm run bench -- global`: loops that the bench starts on an erl node (through
%% connect_bench:serve/0's expression loop) and that answer with what they counted. Each runs in a
%% process of its own under a deadline: a global call that blocks for ever ends as `timeout`
%% instead of blocking the node's expression loop.
%%
%%   rate(Op, Ms)            Op repeated for Ms ms: {Count, Microseconds}
%%     {register, Name}      global:register_name(Name, Holder) =:= yes, global:unregister_name(Name)
%%     {whereis, Name}       global:whereis_name(Name) (a pid), in batches of 100
%%     {trans, Res}          global:trans({Res, self()}, fun() -> ok end) =:= ok, default nodes
%%   hold(Name)              register Name globally for a process of this node that lives on
%%   join(First, Expected, Ms)   connect to First, then wait until done (below): {T0, TDone}
%%   await(Expected, Ms)         wait until done: {T0, TDone}
%%
%% Done means: nodes() lists every node of Expected (sorted, this node left out) and a
%% global:sync() that began when it did has returned ok. Times are os:system_time(microsecond).
-module(global_bench).
-export([rate/2, hold/1, join/3, await/2]).

within(Fun, Ms) ->
    Self = self(),
    Ref = make_ref(),
    {Pid, Mon} = spawn_monitor(fun() -> Self ! {Ref, Fun()} end),
    receive
        {Ref, Value} ->
            demonitor(Mon, [flush]),
            Value;
        {'DOWN', Mon, process, Pid, Reason} ->
            {crashed, Reason}
    after Ms ->
        exit(Pid, kill),
        timeout
    end.

now_us() -> erlang:monotonic_time(microsecond).

rate(Op, Ms) ->
    within(fun() -> rate_loop(Op, Ms) end, Ms + 30000).

rate_loop(Op, Ms) ->
    Step = step(Op),
    T0 = now_us(),
    End = T0 + Ms * 1000,
    Count = repeat(Step, End, 0),
    {Count, now_us() - T0}.

step({register, Name}) ->
    Holder = spawn(fun() -> receive stop -> ok end end),
    fun() ->
        yes = global:register_name(Name, Holder),
        _ = global:unregister_name(Name),
        1
    end;
step({whereis, Name}) ->
    fun() -> batch(fun() -> true = is_pid(global:whereis_name(Name)) end, 100) end;
step({trans, Res}) ->
    fun() ->
        ok = global:trans({Res, self()}, fun() -> ok end),
        1
    end.

batch(_, 0) -> 100;
batch(F, N) -> F(), batch(F, N - 1).

repeat(Step, End, Count) ->
    N = Count + Step(),
    case now_us() < End of
        true -> repeat(Step, End, N);
        false -> N
    end.

hold(Name) ->
    Pid = spawn(fun() -> receive stop -> ok end end),
    within(fun() -> global:register_name(Name, Pid) end, 10000).

join(First, Expected, Ms) ->
    within(fun() ->
                   ok = net_kernel:monitor_nodes(true),
                   T0 = os:system_time(microsecond),
                   true = net_kernel:connect_node(First),
                   {T0, wait_done(lists:sort(Expected))}
           end, Ms).

await(Expected, Ms) ->
    within(fun() ->
                   ok = net_kernel:monitor_nodes(true),
                   T0 = os:system_time(microsecond),
                   {T0, wait_done(lists:sort(Expected))}
           end, Ms).

wait_done(Expected) ->
    case lists:sort(nodes()) of
        Expected ->
            ok = global:sync(),
            Done = os:system_time(microsecond),
            case lists:sort(nodes()) of
                Expected -> Done;
                _ -> wait_done(Expected)
            end;
        _ ->
            receive {nodeup, _} -> ok; {nodedown, _} -> ok after 50 -> ok end,
            wait_done(Expected)
    end.
