%% The erl side of `npm run bench -- chan`: lib_chan round trips (chan_client:rpc/2 to the echo
%% service) against each target port, interleaved, best of Rounds. Prints
%% "RESULT Label Microseconds" per target and round.
-module(roundtrips).
-export([run/3]).

run(Targets, Count, Rounds) ->
    Term = {lookup, joe, "writing a book", 42},
    Sockets = [{Label, connect(Port)} || {Label, Port} <- Targets],
    [begin
         %% Warm up, then time Count round trips.
         [Term = chan_client:rpc(S, Term) || _ <- lists:seq(1, Count div 10)],
         {Micros, _} = timer:tc(fun() -> [Term = chan_client:rpc(S, Term) || _ <- lists:seq(1, Count)] end),
         io:format("RESULT ~s ~w~n", [Label, Micros])
     end || _ <- lists:seq(1, Rounds), {Label, S} <- Sockets],
    [chan_client:close(S) || {_, S} <- Sockets],
    ok.

connect(Port) ->
    {ok, S} = chan_client:connect("127.0.0.1", Port, echo, none, ""),
    S.
