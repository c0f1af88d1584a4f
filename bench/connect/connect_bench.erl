%% The erl side of bench/connect: an expression loop on stdin (one `@@ok ~w` line per
%% expression) and the jobs the bench asks for. Connect times are taken here; the loads count
%% into counters that the bench reads at the start and end of its window.
%%
%% Roles: `sink` counts `{msg, N, Payload}` messages; `sender` floods a sink on another node
%% until told to stop; `echo` answers `{From, N}` with `{reply, N}`; `ping_times/3` and
%% `rr_start/1` are the clients of the connect and round-trip measurements.
-module(connect_bench).
-export([serve/0, ping_times/3, sink_start/0, sink_count/0, sink_queue/0,
         sender_start/1, sender_stop/0, echo_start/0, rr_start/1, rr_count/0, rr_stop/0]).

serve() ->
    io:format("@@ready ~w~n", [node()]),
    loop().

loop() ->
    case io:get_line('') of
        eof -> halt();
        Line ->
            try
                {ok, Tokens, _} = erl_scan:string(Line),
                {ok, Exprs} = erl_parse:parse_exprs(Tokens),
                {value, Value, _} = erl_eval:exprs(Exprs, []),
                io:format("@@ok ~w~n", [Value])
            catch Class:Reason -> io:format("@@error ~w~n", [{Class, Reason}])
            end,
            loop()
    end.

now_us() -> erlang:monotonic_time(microsecond).

%% Microseconds of N `net_adm:ping(Node)`, each on a fresh connection: the EPMD lookup, the
%% handshake and the first request/reply (net_kernel's is_auth).
ping_times(Node, N, GapMs) ->
    [begin
         erlang:disconnect_node(Node),
         timer:sleep(GapMs),
         T0 = now_us(),
         pong = net_adm:ping(Node),
         now_us() - T0
     end || _ <- lists:seq(1, N)].

sink_start() ->
    C = counters:new(1, []),
    persistent_term:put(connect_bench_sink, C),
    register(sink, spawn(fun() -> sink_loop(C) end)),
    ok.

sink_loop(C) ->
    receive
        {msg, _, _} -> counters:add(C, 1, 1);
        _ -> ok
    end,
    sink_loop(C).

sink_count() -> counters:get(persistent_term:get(connect_bench_sink), 1).

sink_queue() ->
    {message_queue_len, L} = process_info(whereis(sink), message_queue_len),
    L.

sender_start(Node) ->
    register(sender, spawn(fun() -> send_loop({sink, Node}, 0) end)),
    ok.

%% As fast as the connection takes them (a send to a busy connection suspends the sender).
send_loop(To, N) ->
    To ! {msg, N, <<"payload">>},
    case N band 1023 of
        0 -> receive stop -> ok after 0 -> send_loop(To, N + 1) end;
        _ -> send_loop(To, N + 1)
    end.

sender_stop() ->
    Ref = monitor(process, sender),
    sender ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end.

echo_start() ->
    register(echo, spawn(fun echo_loop/0)),
    ok.

echo_loop() ->
    receive {From, N} -> From ! {reply, N} end,
    echo_loop().

%% A client doing request/reply round trips to {echo, Node}, one in flight, counted in a
%% counter, until rr_stop/0.
rr_start(Node) ->
    C = counters:new(1, []),
    persistent_term:put(connect_bench_rr, C),
    register(rr_client, spawn(fun() -> rr_loop({echo, Node}, C, 0) end)),
    ok.

rr_loop(To, C, N) ->
    To ! {self(), N},
    receive {reply, N} -> counters:add(C, 1, 1) end,
    case N band 63 of
        0 -> receive stop -> ok after 0 -> rr_loop(To, C, N + 1) end;
        _ -> rr_loop(To, C, N + 1)
    end.

rr_count() -> counters:get(persistent_term:get(connect_bench_rr), 1).

rr_stop() ->
    Ref = monitor(process, rr_client),
    rr_client ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end.
