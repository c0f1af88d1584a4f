%% The erl side of bench/node/warmup.ts: the same N + 1 sequential rpc:call stores of a SIZE-byte
%% binary into a fresh erl node running kvs, and per store that node's CPU time (every thread's
%% /proc/PID/task/TID/schedstat, so BEAM's helper threads count) and minor page faults
%% (/proc/PID/stat), read by this client before and after each call.
-module(warmup_erl).
-export([run/3]).

%% Server: the kvs node's short name, on this node's host.
run(Server, N, Size) ->
    [_, Host] = string:split(atom_to_list(node()), "@"),
    Node = list_to_atom(Server ++ "@" ++ Host),
    ok = wait_for_kvs(Node, 100),
    OsPid = rpc:call(Node, os, getpid, [], 10000),
    Big = binary:copy(<<"0123456789abcdef">>, (Size + 15) div 16),
    %% N + 1 stores, the first left out, as the TypeScript side's first has no start to measure from.
    [_ | Samples] = [store(Node, OsPid, Big) || _ <- lists:seq(1, N + 1)],
    io:format("~w~n", [Samples]).

%% The node is started just before this client: wait for it and its kvs, 100 ms at a time.
wait_for_kvs(Node, 0) -> {gave_up_waiting_for, Node};
wait_for_kvs(Node, Tries) ->
    case net_adm:ping(Node) =:= pong andalso is_pid(rpc:call(Node, erlang, whereis, [kvs], 5000)) of
        true -> ok;
        false -> timer:sleep(100), wait_for_kvs(Node, Tries - 1)
    end.

store(Node, OsPid, Big) ->
    {Cpu0, Faults0} = {cpu_us(OsPid), minor_faults(OsPid)},
    true = rpc:call(Node, kvs, store, [big, Big], 30000),
    {cpu_us(OsPid) - Cpu0, minor_faults(OsPid) - Faults0}.

cpu_us(OsPid) ->
    Dir = "/proc/" ++ OsPid ++ "/task",
    {ok, Tids} = file:list_dir(Dir),
    lists:sum([on_cpu_ns(Dir ++ "/" ++ Tid ++ "/schedstat") || Tid <- Tids]) div 1000.

%% A thread that ended between the listing and the read counts nothing.
on_cpu_ns(File) ->
    case file:read_file(File) of
        {ok, Text} -> binary_to_integer(hd(binary:split(Text, <<" ">>)));
        {error, _} -> 0
    end.

%% Field 10 of /proc/PID/stat, counted after the command name (which may hold spaces).
minor_faults(OsPid) ->
    {ok, Stat} = file:read_file("/proc/" ++ OsPid ++ "/stat"),
    [_, AfterName] = binary:split(Stat, <<") ">>),
    binary_to_integer(lists:nth(8, binary:split(AfterName, <<" ">>, [global]))).
