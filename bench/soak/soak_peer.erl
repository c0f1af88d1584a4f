%% The erl side of the soak (bench/soak): one erl peer of the erlbridge node.
%%
%% erl -> TS: worker processes call the TypeScript node (erpc, gen_server:call, 1 MiB erpc,
%% spawn_monitor/4) and stream numbered messages to its soak_sink, and check that every answer is
%% exactly their own. TS -> erl: this module serves echo/3 and spawned/3 to the TypeScript node,
%% runs the gen_server soak_gs and the message sink soak_sink, and checks that the numbered requests
%% and messages of each TypeScript stream arrive strictly in sequence.
%%
%% Counters and the first violations live in the ets table soak_stats; the TypeScript side reads
%% them with stats/0 over the node's stdin, so reporting never travels over the connection under
%% test. Every receive that waits for an answer has an `after`; the sink loop serves until the node goes.
-module(soak_peer).
-behaviour(gen_server).

-export([start/4, stop/0, wait_stopped/1, stats/0]).
-export([echo/3, rex_echo/3, spawned/3]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(TIMEOUT, 15000).
-define(WINDOW, 32).
-define(MAX_VIOLATIONS, 20).

%% Start the servers and the erl -> TS workers. Tag is the binary naming this incarnation
%% (<<"p1.3">>), Pace the pause between operations of a worker, in ms.
start(TsNode, Tag, Pace, BigPace) ->
    {ok, _} = gen_server:start({local, soak_gs}, ?MODULE, [], []),
    Sink = spawn(fun() -> sink_loop() end),
    true = register(soak_sink, Sink),
    Workers = [
        {rpc, fun(T) -> call_loop(TsNode, rpc, T, 1, Pace, fun small_blob/1) end},
        {big, fun(T) -> call_loop(TsNode, big, T, 1, BigPace, fun big_blob/1) end},
        {rex, fun(T) -> call_loop(TsNode, rex, T, 1, Pace, fun small_blob/1) end},
        {gen_call, fun(T) -> gen_call_loop(TsNode, T, 1, Pace) end},
        {spawn, fun(T) -> spawn_loop(TsNode, T, 1, Pace) end},
        {message, fun(T) -> send_loop(TsNode, T, 1, 0, Pace) end}
    ],
    [spawn(fun() -> worker(Kind, <<Tag/binary, ".", (atom_to_binary(Kind))/binary>>, Body) end)
     || {Kind, Body} <- Workers],
    ok.

%% Ask the workers to finish their current operation (message senders: until all is acknowledged).
stop() ->
    ets:insert(soak_stats, {stopping, true}),
    ok.

wait_stopped(Timeout) ->
    Deadline = erlang:monotonic_time(millisecond) + Timeout,
    wait_stopped_until(Deadline).

wait_stopped_until(Deadline) ->
    case ets:lookup(soak_stats, running) of
        [{running, 0}] -> ok;
        [{running, N}] ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> {still_running, N};
                false -> timer:sleep(50), wait_stopped_until(Deadline)
            end
    end.

stats() -> ets:tab2list(soak_stats).

%% --- served to the TypeScript node ---------------------------------------------------------

%% erpc target of the TypeScript rpc and 1 MiB loops: checks the stream, answers with its own.
echo(Tag, Seq, Blob) ->
    check_in(Tag, Seq, case byte_size(Blob) > 65536 of true -> big_in; false -> requests_in end),
    {Tag, Seq, Blob}.

%% The same through rex (the TypeScript side's rpcCall with rex: true).
rex_echo(Tag, Seq, Blob) ->
    check_in(Tag, Seq, rex_in),
    {Tag, Seq, Blob}.

%% spawn_request target: tells the spawner who it is, then exits normally (the monitor's DOWN).
spawned(From, Tag, Seq) ->
    check_in(Tag, Seq, spawns_in),
    From ! {spawned, Tag, Seq, self()},
    ok.

init([]) ->
    ets:new(soak_stats, [named_table, public, set, {write_concurrency, true}]),
    ets:new(soak_streams, [named_table, public, set]),
    ets:insert(soak_stats, [{running, 0}, {stopping, false}, {violations, 0}]),
    {ok, nostate}.

handle_call({echo, Tag, Seq}, _From, State) ->
    check_in(Tag, Seq, gen_calls_in),
    {reply, {Tag, Seq}, State}.

handle_cast(_Request, State) -> {noreply, State}.

handle_info(_Info, State) -> {noreply, State}.

sink_loop() ->
    receive
        {soak_msg, Tag, Seq, From, _Payload} ->
            check_in(Tag, Seq, messages_in),
            From ! {soak_ack, Tag, Seq},
            sink_loop()
    end.

%% --- erl -> TS workers -----------------------------------------------------------------------

%% Each worker's mailbox holds only its own answers: one left over at the end was a stray
%% (a duplicated reply or message that nothing took).
worker(Kind, Tag, Body) ->
    ets:update_counter(soak_stats, running, 1),
    try
        Body(Tag),
        case process_info(self(), messages) of
            {messages, []} -> ok;
            {messages, Stray} -> violation(Kind, {stray, length(Stray), brief(hd(Stray))})
        end
    catch
        exit:no_ack -> ok; % take_acks counted it
        Class:Reason:Stack -> violation(Kind, {crashed, Class, Reason, Stack})
    after ets:update_counter(soak_stats, running, -1)
    end.

stopping() -> ets:lookup_element(soak_stats, stopping, 2).

small_blob(Seq) -> <<Seq:64, 0:(56 * 8)>>.

%% 1 MiB and 8 bytes, different for every call: a stale or swapped answer cannot match.
big_blob(Seq) ->
    case get(big_base) of
        undefined -> put(big_base, rand:bytes(1 bsl 20));
        _ -> ok
    end,
    <<Seq:64, (get(big_base))/binary>>.

call_loop(TsNode, Kind, Tag, Seq, Pace, Blob) ->
    case stopping() of
        true -> ok;
        false ->
            Value = Blob(Seq),
            count(Kind, sent),
            case catch remote_echo(Kind, TsNode, [Tag, Seq, Value]) of
                {Tag, Seq, Value} -> count(Kind, answered);
                Other -> violation(Kind, {Seq, not_its_answer, brief(Other)})
            end,
            timer:sleep(Pace),
            call_loop(TsNode, Kind, Tag, Seq + 1, Pace, Blob)
    end.

%% erpc, or the rex server as rpc:call asked it before OTP 23 (and as nodes without erpc still do).
remote_echo(rex, TsNode, Args) ->
    gen_server:call({rex, TsNode}, {call, soak, rex_echo, Args, group_leader()}, ?TIMEOUT);
remote_echo(_, TsNode, Args) ->
    erpc:call(TsNode, soak, echo, Args, ?TIMEOUT).

gen_call_loop(TsNode, Tag, Seq, Pace) ->
    case stopping() of
        true -> ok;
        false ->
            count(gen_call, sent),
            case catch gen_server:call({soak_gs, TsNode}, {echo, Tag, Seq}, ?TIMEOUT) of
                {Tag, Seq} -> count(gen_call, answered);
                Other -> violation(gen_call, {Seq, not_its_answer, brief(Other)})
            end,
            timer:sleep(Pace),
            gen_call_loop(TsNode, Tag, Seq + 1, Pace)
    end.

%% spawn_monitor/4 on the TypeScript node: the process must say {spawned, Tag, Seq, Pid}, then
%% the monitor must fire with normal, each exactly once and in that order.
spawn_loop(TsNode, Tag, Seq, Pace) ->
    case stopping() of
        true -> ok;
        false ->
            count(spawn, sent),
            count(monitor, sent),
            {Pid, Ref} = spawn_monitor(TsNode, soak, spawned, [self(), Tag, Seq]),
            receive
                {spawned, Tag, Seq, Pid} -> count(spawn, answered);
                Other -> violation(spawn, {Seq, not_its_answer, brief(Other)})
            after ?TIMEOUT -> violation(spawn, {Seq, no_answer})
            end,
            receive
                {'DOWN', Ref, process, Pid, normal} -> count(monitor, answered);
                Down -> violation(monitor, {Seq, not_its_down, brief(Down)})
            after ?TIMEOUT -> violation(monitor, {Seq, no_down})
            end,
            timer:sleep(Pace),
            spawn_loop(TsNode, Tag, Seq + 1, Pace)
    end.

%% Numbered messages to {soak_sink, TsNode}, at most ?WINDOW unacknowledged; the acks are a
%% stream of their own and must come back in sequence too. On stop: wait for every ack.
send_loop(TsNode, Tag, Seq, Acked, Pace) ->
    Acked1 = take_acks(Tag, Acked, 0),
    Stopping = stopping(),
    if
        Stopping, Acked1 =:= Seq - 1 -> ok;
        Stopping; Seq - 1 - Acked1 >= ?WINDOW ->
            send_loop(TsNode, Tag, Seq, take_acks(Tag, Acked1, ?TIMEOUT), Pace);
        true ->
            count(message, sent),
            {soak_sink, TsNode} ! {soak_msg, Tag, Seq, self(), small_blob(Seq)},
            timer:sleep(Pace),
            send_loop(TsNode, Tag, Seq + 1, Acked1, Pace)
    end.

%% Take the acks already here (Wait 0) or wait for one; returns the highest acked seq.
take_acks(Tag, Acked, Wait) ->
    receive
        {soak_ack, Tag, Seq} when Seq =:= Acked + 1 ->
            count(message, answered),
            take_acks(Tag, Seq, 0);
        {soak_ack, Tag, Seq} ->
            violation(ack, {expected, Acked + 1, got, Seq}),
            take_acks(Tag, max(Acked, Seq), 0)
    after Wait ->
        case Wait of
            0 -> Acked;
            _ -> violation(message, {Acked + 1, no_ack}), exit(no_ack)
        end
    end.

%% --- counting and checking -------------------------------------------------------------------

count(Kind, What) -> ets:update_counter(soak_stats, {Kind, What}, 1, {{Kind, What}, 0}).

%% Requests and messages of one TypeScript stream arrive numbered 1, 2, 3, ...: a gap is counted
%% lost until the missing number turns up (then it is reordered); a number seen before is duplicated.
check_in(Tag, Seq, Kind) ->
    count(Kind, received),
    {Last, Missing} =
        case ets:lookup(soak_streams, Tag) of
            [{_, L, M}] -> {L, M};
            [] -> {0, #{}}
        end,
    if
        Seq =:= Last + 1 ->
            ets:insert(soak_streams, {Tag, Seq, Missing});
        Seq > Last + 1 ->
            Gap = maps:from_list([{S, true} || S <- lists:seq(Last + 1, min(Seq - 1, Last + 1000))]),
            violation(Kind, {gap, Tag, Last, Seq}),
            ets:update_counter(soak_stats, {Kind, lost}, Seq - Last - 1, {{Kind, lost}, 0}),
            ets:insert(soak_streams, {Tag, Seq, maps:merge(Missing, Gap)});
        true ->
            case maps:is_key(Seq, Missing) of
                true ->
                    violation(Kind, {reordered, Tag, Seq}),
                    ets:update_counter(soak_stats, {Kind, lost}, -1),
                    count(Kind, reordered),
                    ets:insert(soak_streams, {Tag, Last, maps:remove(Seq, Missing)});
                false ->
                    violation(Kind, {duplicated, Tag, Seq}),
                    count(Kind, duplicated)
            end
    end.

violation(Kind, What) ->
    count(Kind, violations),
    N = ets:update_counter(soak_stats, violations, 1),
    N =< ?MAX_VIOLATIONS andalso ets:insert(soak_stats, {{violation, N}, {Kind, What}}),
    ok.

%% What a wrong answer was, without 1 MiB of it.
brief(Term) when is_binary(Term), byte_size(Term) > 64 -> {binary, byte_size(Term)};
brief(Term) when is_tuple(Term) -> list_to_tuple([brief(E) || E <- tuple_to_list(Term)]);
brief(Term) when is_list(Term) ->
    try [brief(E) || E <- lists:sublist(Term, 8)] catch _:_ -> improper_list end;
brief(Term) -> Term.
