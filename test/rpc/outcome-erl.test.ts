/**
 * One outcome mapping, refereed by erl: every way a call into TypeScript can end (return, throw,
 * exit, error, a plain JavaScript exception, undef) must look to an erl caller exactly as the same
 * outcome of Erlang code looks.
 *
 * Two real erl nodes per OTP: `caller` runs the probes of fixtures/outcome/outcome_probe.erl, `ref`
 * has fixtures/outcome/outcome.erl loaded; the TypeScript node registers the same functions, the
 * same spawnable and the same gen_server. Each case runs one probe (rpc:call, erpc:call,
 * rpc:block_call, spawn_monitor/4, spawn_link/4, gen_server:call) from `caller` against `ref` and
 * against the TypeScript node, and the two observations must be identical once stacktraces, pids,
 * refs and the target's node name are replaced by placeholders. The stacks are then checked on
 * their own: the TypeScript stack is a non-empty proper list of `{M, F, ArityOrArgs, Location}`
 * (the probe only replaces lists of that shape), naming the called module first where erl's does;
 * for undef, whose "stack" is the call itself, it must be identical.
 *
 * A plain JavaScript exception has no Erlang twin; it is documented as the `error` class with
 * reason `{js_error, <<"TypeError: boom">>}`, so outcome.erl's js_error raises exactly that.
 *
 * In gen_server a throw out of a callback is taken as its return value. A TypeScript handleCall's
 * return value is the reply, so its `ErlangThrow(X)` replies X, and the Erlang twin is handle_call
 * doing `throw({reply, X, State})`.
 */
import * as path from 'path';
import { Atom, atom, formatTerm, isRecord, parseTerm, Term, Tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { GenServerHandle, startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { ErlangError, ErlangExit, ErlangThrow } from '../../src/process/exceptions';
import { describeOtp, uniqueName } from '../support/otp';
import { loadErlModule, OtpNode, startOtpNode } from '../support/otp-node';

const FIXTURES = path.join(__dirname, '../../fixtures/outcome');
const EVAL_TIMEOUT = 10000; // the probes give up after 4 s (twice for gen_server:call + DOWN), then 9 s

/** The value thrown, the exit and error reason: a little of everything. */
const X = '{ball, [1, <<"b">>, 2.5]}';
/** How a call, a spawned process or handle_call ends (js_error: a JavaScript TypeError('boom')). */
const KINDS = ['ret', 'throw', 'exit', 'error', 'js_error'];

/** The body of every TypeScript twin: return, throw, exit or error with x, or a JavaScript exception. */
function raise(kind: Term, x: Term): Term {
  switch ((kind as Atom).name) {
    case 'ret':
      return x;
    case 'throw':
      throw new ErlangThrow(x);
    case 'exit':
      throw new ErlangExit(x);
    case 'error':
      throw new ErlangError(x);
    case 'js_error':
      throw new TypeError('boom');
    default:
      throw new ErlangError(atom('function_clause'));
  }
}

interface Case {
  /** e.g. `erpc:call throw_it`. */
  name: string;
  probe: 'rpc_call' | 'erpc_call' | 'block_call' | 'spawn_monitor' | 'spawn_link' | 'gen_call';
  /** The probe's arguments (Erlang text), the same against both nodes. */
  args: string;
  /** The stacks must be identical too (undef: the stack is the call). */
  exactStacks?: boolean;
  /** TypeScript has a module name to put first in its stack. */
  moduleFirst?: boolean;
}

/** Every call, every outcome. */
const CASES: Case[] = [];
for (const [probe, label] of [
  ['rpc_call', 'rpc:call'],
  ['erpc_call', 'erpc:call'],
  ['block_call', 'rpc:block_call'],
] as const) {
  for (const f of ['ret', 'throw_it', 'exit_it', 'error_it'])
    CASES.push({ name: `${label} ${f}`, probe, args: `[outcome, ${f}, [${X}]]`, moduleFirst: true });
  CASES.push({ name: `${label} undef`, probe, args: '[nomod, nofun, []]', exactStacks: true });
  CASES.push({ name: `${label} js_error`, probe, args: '[outcome, js_error, []]', moduleFirst: true });
}
for (const [probe, label] of [
  ['spawn_monitor', 'spawn_monitor DOWN'],
  ['spawn_link', 'spawn_link EXIT'],
] as const) {
  for (const kind of KINDS) CASES.push({ name: `${label} ${kind}`, probe, args: `[outcome, spawned, [${kind}, ${X}]]`, moduleFirst: true });
  CASES.push({ name: `${label} undef`, probe, args: '[nomod, nofun, [1]]', exactStacks: true });
}
for (const kind of KINDS) CASES.push({ name: `gen_server:call ${kind}`, probe: 'gen_call', args: `[outcome_gs, {crash, ${kind}, ${X}}]` });

interface Seen {
  /** The normalised observation, as Erlang text. */
  seen: string;
  /** The stacks the probe replaced by '$stack', in order. */
  stacks: Term[][];
}

function firstModule(stack: Term[]): Term {
  return (stack[0] as Tuple).get(0);
}

describeOtp('every outcome of a call looks as erl shows it', (otp) => {
  let epmd: EpmdServer;
  let caller: OtpNode;
  let ref: OtpNode;
  let ts: ErlNode;
  let gs: GenServerHandle | undefined;
  const cookie = uniqueName('cookie');

  /** Compile a fixture in `node` (no .beam on disk) and load it. */
  async function load(node: OtpNode, module: string): Promise<void> {
    expect(await loadErlModule(node, otp, path.join(FIXTURES, `${module}.erl`))).toBe(module);
  }

  async function probe(name: Case['probe'], target: string, args: string): Promise<Seen> {
    const raw = await caller.eval(`outcome_probe:run(${name}, '${target}', ${args})`, EVAL_TIMEOUT);
    const [seen, stacks] = (parseTerm(raw) as Tuple).elements as [Term, Term[][]];
    return { seen: formatTerm(seen), stacks };
  }

  /** Both gen_servers up (they die in most cases). */
  async function startServers(): Promise<void> {
    expect(await ref.eval('element(1, outcome:start_gs())', EVAL_TIMEOUT)).toBe('ok');
    if (gs?.process.alive) return;
    if (gs) await gs.process.done;
    gs = await startGenServer(
      ts,
      { handleCall: (req: Term) => (isRecord(req, 'crash', 3) ? raise(req.get(1), req.get(2)) : raise(atom('bad'), req)) },
      { name: 'outcome_gs' },
    );
  }

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    const starting = [
      startOtpNode(otp, { sname: uniqueName('caller'), cookie, epmdPort: epmd.port }),
      startOtpNode(otp, { sname: uniqueName('ref'), cookie, epmdPort: epmd.port }),
      ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined, output: () => undefined }),
    ] as const;
    // Keep whatever started, so afterAll stops it even when another failed.
    const [c, r, t] = await Promise.allSettled(starting);
    if (c.status === 'fulfilled') caller = c.value;
    if (r.status === 'fulfilled') ref = r.value;
    if (t.status === 'fulfilled') ts = t.value;
    for (const s of [c, r, t]) if (s.status === 'rejected') throw s.reason;

    ts.modules.registerModule('outcome', {
      ret: (x: Term) => x,
      throw_it: (x: Term) => {
        throw new ErlangThrow(x);
      },
      exit_it: (r: Term) => {
        throw new ErlangExit(r);
      },
      error_it: (r: Term) => {
        throw new ErlangError(r);
      },
      js_error: () => {
        throw new TypeError('boom');
      },
    });
    ts.modules.registerSpawnable('outcome', 'spawned', (_self, kind: Term, x: Term) => raise(kind, x));
    await Promise.all([load(ref, 'outcome'), load(caller, 'outcome_probe')]);
  });

  afterAll(async () => {
    await Promise.allSettled([ts?.stop(), caller?.stop(), ref?.stop()]);
    await epmd?.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.probe === 'gen_call') await startServers();
    const erl = await probe(c.probe, ref.name, c.args);
    expect(erl.seen).not.toMatch(/\$timeout|\$probe_crashed/); // the referee itself worked
    const mine = await probe(c.probe, ts.name, c.args);
    expect({ case: c.name, seen: mine.seen }).toEqual({ case: c.name, seen: erl.seen });

    // Same placeholders in the same places, so the same number of stacks; now their contents.
    expect(mine.stacks).toHaveLength(erl.stacks.length);
    erl.stacks.forEach((erlStack, i) => {
      const tsStack = mine.stacks[i];
      expect(Array.isArray(tsStack) && tsStack.length > 0).toBe(true);
      for (const frame of tsStack) expect(frame instanceof Tuple && frame.length === 4).toBe(true);
      if (c.exactStacks) expect(formatTerm(tsStack)).toBe(formatTerm(erlStack));
      if (c.moduleFirst) expect([firstModule(erlStack), firstModule(tsStack)]).toEqual([atom('outcome'), atom('outcome')]);
    });
  });
});
