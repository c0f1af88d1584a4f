/**
 * A long-running `erl` that turns External Term Format bytes into BEAM's own re-encoding, so
 * thousands of terms go through one process quickly.
 *
 * Protocol (one request per line on the child's stdin, one reply per line on its fd 3, in order):
 *
 *   R<hex>             -> ok:<hex of term_to_binary(binary_to_term(Bytes), [{minor_version,2}])>
 *   C<hex>             -> the same with [compressed, {minor_version,2}]
 *   E<hex expr>[ <hex>] -> ok:<hex of term_to_binary(Value, [{minor_version,2}])>, where Value is the
 *                         Erlang expression (UTF-8 text, ending in '.') evaluated with `T` bound to
 *                         binary_to_term of the optional second field
 *   any failure        -> error:<class>:<reason in ~w>
 *
 * The code runs from `-eval` only (nothing to copy into a chroot). Requests are read through an fd
 * port in line mode rather than io:get_line, which is quadratic on OTP 26+ for multi-megabyte lines;
 * replies go to fd 3 so nothing erl itself prints can interleave with them.
 */
import { ChildProcess } from 'child_process';
import { Readable, Writable } from 'stream';
import { Otp, spawnOtp } from './otp';

const SERVER_CODE = String.raw`
logger:set_primary_config(level, none),
Port = open_port({fd, 0, 3}, [binary, {line, 1048576}, eof]),
Enc = fun(T) -> [<<"ok:">>, binary:encode_hex(term_to_binary(T, [{minor_version, 2}]))] end,
Eval = fun(ExprHex, Bindings) ->
  {ok, Toks, _} = erl_scan:string(unicode:characters_to_list(binary:decode_hex(ExprHex), utf8)),
  {ok, Exprs} = erl_parse:parse_exprs(Toks),
  {value, V, _} = erl_eval:exprs(Exprs, Bindings),
  V
end,
Handle = fun
  (<<$R, Hex/binary>>) -> Enc(binary_to_term(binary:decode_hex(Hex)));
  (<<$C, Hex/binary>>) ->
    [<<"ok:">>, binary:encode_hex(term_to_binary(binary_to_term(binary:decode_hex(Hex)), [compressed, {minor_version, 2}]))];
  (<<$E, Rest/binary>>) ->
    case binary:split(Rest, <<" ">>) of
      [ExprHex] -> Enc(Eval(ExprHex, []));
      [ExprHex, TermHex] -> Enc(Eval(ExprHex, [{'T', binary_to_term(binary:decode_hex(TermHex))}]))
    end;
  (Other) -> erlang:error({bad_request, binary:part(Other, 0, min(byte_size(Other), 20))})
end,
Loop = fun Loop(Acc) ->
  receive
    {Port, {data, {noeol, Part}}} -> Loop([Acc, Part]);
    {Port, {data, {eol, Part}}} ->
      Line = iolist_to_binary([Acc, Part]),
      Out = try Handle(Line) catch C:R -> io_lib:format("error:~w:~w", [C, R]) end,
      true = port_command(Port, [Out, $\n]),
      Loop([]);
    {Port, eof} -> halt(0)
  end
end,
Loop([]).
`;

/** BEAM refused the request (e.g. `binary_to_term` raised badarg). */
export class ErlTermError extends Error {
  constructor(readonly reason: string) {
    super(`erl: ${reason}`);
  }
}

type Reply = { ok: Buffer } | { error: string };

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

export class ErlTermServer {
  private readonly pending: Pending[] = [];
  private partial: Buffer[] = [];
  private stderrTail = '';
  private exited: Error | null = null;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly otp: Otp,
    private readonly child: ChildProcess,
  ) {
    const replies = child.stdio[3] as Readable;
    replies.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-4000);
    });
    (child.stdin as Writable).on('error', () => undefined);
    this.exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exited = new Error(
          `erl term server (${otp.label}) exited (code ${code}, signal ${signal})${this.stderrTail ? `: ${this.stderrTail}` : ''}`,
        );
        for (const p of this.pending.splice(0)) p.reject(this.exited);
        resolve();
      });
    });
    child.on('error', (err) => {
      this.exited = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    });
  }

  /** Start the server for `otp` and wait until it answers. */
  static async start(otp: Otp): Promise<ErlTermServer> {
    const child = spawnOtp(otp, 'erl', ['-noinput', '-eval', SERVER_CODE], {
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    });
    const server = new ErlTermServer(otp, child);
    const hello = await server.evalRaw('ok.');
    if (!('ok' in hello) || hello.ok.toString('hex') !== '8377026f6b') {
      await server.close();
      throw new Error(`erl term server (${otp.label}) did not start: ${JSON.stringify(hello)}`);
    }
    return server;
  }

  /** The process id of the erl (the chroot execs it, so this is erl's own pid). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.partial.push(chunk.subarray(start, nl));
      const line = this.partial.length === 1 ? this.partial[0] : Buffer.concat(this.partial);
      this.partial = [];
      start = nl + 1;
      this.onLine(line);
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  private onLine(line: Buffer): void {
    const p = this.pending.shift();
    if (!p) return;
    if (line.subarray(0, 3).toString('latin1') === 'ok:') {
      p.resolve({ ok: Buffer.from(line.subarray(3).toString('latin1'), 'hex') });
    } else {
      p.resolve({ error: line.toString('utf8').replace(/^error:/, '') });
    }
  }

  private request(line: string): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      (this.child.stdin as Writable).write(line + '\n');
    });
  }

  private static unwrap(reply: Reply): Buffer {
    if ('ok' in reply) return reply.ok;
    throw new ErlTermError(reply.error);
  }

  /** BEAM's `term_to_binary(binary_to_term(etf), [{minor_version,2}])`, or its error. */
  tryRoundtrip(etf: Buffer): Promise<Reply> {
    return this.request('R' + etf.toString('hex'));
  }

  /** BEAM's `term_to_binary(binary_to_term(etf), [{minor_version,2}])`; rejects with ErlTermError. */
  async roundtrip(etf: Buffer): Promise<Buffer> {
    return ErlTermServer.unwrap(await this.tryRoundtrip(etf));
  }

  /** BEAM's compressed re-encoding `term_to_binary(binary_to_term(etf), [compressed, {minor_version,2}])`. */
  async roundtripCompressed(etf: Buffer): Promise<Buffer> {
    return ErlTermServer.unwrap(await this.request('C' + etf.toString('hex')));
  }

  private evalRaw(expr: string, input?: Buffer): Promise<Reply> {
    const line = 'E' + Buffer.from(expr, 'utf8').toString('hex') + (input ? ' ' + input.toString('hex') : '');
    return this.request(line);
  }

  /**
   * Evaluate an Erlang expression (ending in '.') in the server; `T` is bound to the term whose ETF
   * bytes are `input`, when given. Returns `term_to_binary(Value, [{minor_version,2}])`.
   */
  async eval(expr: string, input?: Buffer): Promise<Buffer> {
    return ErlTermServer.unwrap(await this.evalRaw(expr, input));
  }

  /** Stop the erl: close its stdin (it halts), and kill it by pid if it has not exited in time. */
  async close(): Promise<void> {
    if (this.exited) return;
    (this.child.stdin as Writable).end();
    const timer = setTimeout(() => {
      if (!this.exited && this.child.pid !== undefined) {
        try {
          process.kill(this.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, 2000);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
