%% The BEAM baseline for bench/codec: times term_to_binary/2 and binary_to_term/1 on the same
%% five workloads the TypeScript bench uses, built here in Erlang, and writes the bytes of each
%% (term_to_binary(T, [{minor_version, 2}])) so the bench can check erlbridge byte for byte.
%%
%% Run by bench/run.js (through bench/codec/beam.ts):
%%   erlc -o OUT bench/codec/beam_codec.erl
%%   erl -noshell -noinput -pa OUT -run beam_codec main OUTDIR WARMUP_MS ROUND_MS ROUNDS [WORKLOADS]
%% Prints one line per cell:
%%   RESULT <workload> <encode|decode> <CPU ns per op, median> <wall ns per op, median> <ops per round> <rounds>
%% and one line describing the runtime:  OTP <release> <erts version>
-module(beam_codec).
-export([main/1, term/1]).

-define(OPTS, [{minor_version, 2}]).

main([OutDir, WarmupMs, RoundMs, Rounds | Rest]) ->
    Cfg = {list_to_integer(WarmupMs), list_to_integer(RoundMs), list_to_integer(Rounds)},
    Workloads = case Rest of
                    [] -> "abcde";
                    [W | _] -> W
                end,
    io:format("OTP ~s ~s~n", [erlang:system_info(otp_release), erlang:system_info(version)]),
    lists:foreach(fun(W) -> workload(W, OutDir, Cfg) end, [[C] || C <- Workloads]),
    halt(0).

workload(W, OutDir, Cfg) ->
    T = term(W),
    Bin = term_to_binary(T, ?OPTS),
    ok = file:write_file(filename:join(OutDir, W ++ ".etf"), Bin),
    %% the same sanity the JavaScript side does: what we time must round-trip
    T = binary_to_term(Bin),
    report(W, "encode", cell(fun(N) -> enc_loop(N, T, ok) end, Cfg)),
    report(W, "decode", cell(fun(N) -> dec_loop(N, Bin, ok) end, Cfg)).

report(W, Dir, {CpuNs, WallNs, N, Rounds}) ->
    io:format("RESULT ~s ~s ~.3f ~.3f ~b ~b~n", [W, Dir, float(CpuNs), float(WallNs), N, Rounds]).

%% ---- the workloads (keep in step with bench/codec/workloads.ts) ----

%% (a) a gen_server:call as it arrives: {'$gen_call', {Pid, Ref}, Request}
term("a") ->
    Pid = list_to_pid("<0.80.0>"),
    Ref = list_to_ref("#Ref<0.1.2.3>"),
    {'$gen_call', {Pid, Ref}, {store, weather, <<"fine">>}};
%% (b) 1,000 maps with atom keys, integers, floats and binaries
term("b") ->
    [#{id => N,
       name => list_to_binary("user " ++ integer_to_list(N)),
       score => N * 1.5,
       active => true} || N <- lists:seq(1, 1000)];
%% (c) a 1 MiB binary (printable ASCII, so that codecs that only know strings round-trip it)
term("c") ->
    << <<(32 + (I * 7) rem 95)>> || I <- lists:seq(0, 1048575) >>;
%% (d) 100,000 small integers (0..255; longer than 65535, so LIST_EXT, not STRING_EXT)
term("d") ->
    [I rem 256 || I <- lists:seq(0, 99999)];
%% (e) a list nested 1,000 deep: [[[...[]...]]]
term("e") ->
    lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 1000)).

%% ---- timing ----

enc_loop(0, _T, Acc) -> Acc;
enc_loop(N, T, _) -> enc_loop(N - 1, T, term_to_binary(T, ?OPTS)).

dec_loop(0, _B, Acc) -> Acc;
dec_loop(N, B, _) -> dec_loop(N - 1, B, binary_to_term(B)).

%% Each cell runs in a fresh process (a clean heap, like a fresh request handler would have):
%% warm up for WarmupMs, size a batch to take about RoundMs, time Rounds batches (each after a GC,
%% like the Node side), and return the median CPU and wall time per operation in nanoseconds.
cell(Loop, Cfg) ->
    Parent = self(),
    {Pid, MRef} = spawn_monitor(fun() -> Parent ! {self(), measure(Loop, Cfg)} end),
    receive
        {Pid, Result} ->
            erlang:demonitor(MRef, [flush]),
            Result;
        {'DOWN', MRef, process, Pid, Reason} ->
            io:format(standard_error, "beam_codec: cell crashed: ~p~n", [Reason]),
            halt(2)
    end.

measure(Loop, {WarmupMs, RoundMs, Rounds0}) ->
    PerOp = warmup(Loop, WarmupMs * 1000000, 1, 0, 0),
    N = max(1, round(RoundMs * 1000000 / PerOp)),
    %% an operation slower than a whole round: fewer rounds, so a slow cell cannot eat the budget
    Rounds = case PerOp > RoundMs * 1000000 of
                 true -> min(Rounds0, 3);
                 false -> Rounds0
             end,
    Samples = [timed(Loop, N) || _ <- lists:seq(1, Rounds)],
    {median([Cpu / N || {Cpu, _} <- Samples]), median([Wall / N || {_, Wall} <- Samples]), N, Rounds}.

warmup(Loop, BudgetNs, N, SpentNs, Ops) ->
    Ns = batch(Loop, N),
    Spent = SpentNs + Ns,
    Done = Ops + N,
    case Spent >= BudgetNs andalso Done >= 3 of
        true -> Spent / Done;
        false -> warmup(Loop, BudgetNs, N * 2, Spent, Done)
    end.

batch(Loop, N) ->
    T0 = erlang:monotonic_time(nanosecond),
    _ = Loop(N),
    erlang:monotonic_time(nanosecond) - T0.

%% {CPU ns, wall ns} of one batch. CPU is the whole OS process (all threads, user + system), as on
%% the Node side, so that time spent waiting for a core on a busy machine is not counted as work.
timed(Loop, N) ->
    garbage_collect(),
    {C0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(nanosecond),
    _ = Loop(N),
    T1 = erlang:monotonic_time(nanosecond),
    {C1, _} = statistics(runtime),
    {(C1 - C0) * 1000000, T1 - T0}.

median(Xs) ->
    S = lists:sort(Xs),
    L = length(S),
    case L rem 2 of
        1 -> lists:nth(L div 2 + 1, S);
        0 -> (lists:nth(L div 2, S) + lists:nth(L div 2 + 1, S)) / 2
    end.
