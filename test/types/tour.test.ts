/**
 * README's "A short tour", kept compiling: the function below holds the tour's code (tsc checks
 * it with the project, strict, so a tour that no longer type-checks fails `npm test`), and the
 * test checks that README's code block is exactly this code, so the two cannot drift apart. The
 * tour needs a cluster (bilbo@host, my_server, ...), so it is compiled, not run.
 */
import * as fs from 'fs';
import * as path from 'path';
// tour:import
import { ErlNode, ErlClient, ErlangError, P, atom, bin, clause, fromJS, tuple, serveKvs, startGenServer } from '../../src';

// prettier-ignore
export async function tour(): Promise<void> {
  // tour:begin
  const node = await ErlNode.start({ name: 'ts', cookie: 'secret' });     // ts@<host>, visible (hidden: true opts out)

  // Serve Erlang callers: only what is registered can run (anything else is undef, as in erl).
  // Argument patterns type the arguments; any others fail with function_clause, as in erl.
  node.modules.registerModule('calc', {
    add: clause([P.bigint, P.bigint], (a, b) => a + b),                   // calc:add(1 bsl 60, 1) -> 1152921504606846977
    fadd: clause([P.number, P.number], (a, b) => a + b, { returns: 'float' }), // calc:fadd(1.5, 2.5) -> 4.0
    greet: clause([P.string], (name) => bin(`hello ${name}`)),            // a binary or a charlist; greet(42) -> function_clause
    fail: () => { throw new ErlangError(atom('badarith')); },             // -> {badrpc, {'EXIT', {badarith, [...]}}}
  });
  serveKvs(node);                                                         // the book's kvs: module and process

  // Processes: mailboxes with selective receive; a pattern is a receive matcher with a typed result.
  node.spawn(async (self) => {
    for (;;) {
      const [from, msg] = await self.receive(P.tuple(P.pid, P.any));      // {echo, ts@h} ! {self(), hi}
      self.send(from, tuple(atom('echo'), msg));
    }
  }, { name: 'echo' });

  // Call into Erlang: erpc, gen_server, messages, remote spawn.
  const erl = new ErlClient(node);
  await erl.rpc('bilbo@host', 'erlang', 'node', []);                      // 'bilbo@host'
  const reply = await erl.call(['my_server', 'bilbo@host'], atom('get'), { timeout: 5000 });
  const ok = P.tuple(P.atom('ok'), P.map({ name: P.string }))(reply);     // {ok, #{name => <<"joe">>}} -> [ok, { name: 'joe' }]
  if (ok) erl.send(['logger', 'bilbo@host'], fromJS({ level: 'info', text: `hello ${ok[1].name}` })); // #{level => <<"info">>, ...}

  // global and pg, with Erlang's names in camelCase.
  const worker = node.spawn();
  await node.global.registerName('ts_worker', worker);                    // global:register_name/2
  node.global.whereisName('bilbo_shell');                                 // a Pid, or undefined
  await node.global.trans(['weather_lock', 'ts'], () => 'done');          // global:trans/2
  await erl.call({ global: 'erl_server' }, atom('get'));                  // gen_server:call({global, Name}, ...)
  node.pg.join(atom('workers'), worker);                                  // pg:join(workers, Worker)
  node.pg.getMembers(atom('workers'));                                    // every member, on every node
  for await (const event of node.pg.monitor(atom('workers'))) if (event.action === 'leave') break; // pg:monitor/1: joins and leaves

  // gen_server in TypeScript: sys:get_state, timeouts and crash reports as erl's.
  await startGenServer(node, { handleCall: (req) => tuple(atom('ok'), req) }, { name: 'ts_gs' });
  // tour:end
}

/** README's tour code block: the text between ```ts and ``` after the "## A short tour" heading. */
function readmeTour(): string {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A short tour'));
  const start = section.indexOf('```ts\n') + '```ts\n'.length;
  return section.slice(start, section.indexOf('\n```', start));
}

/** This file's tour, as README shows it: the import from 'erlbridge', the body one indent less. */
function compiledTour(): string {
  const source = fs.readFileSync(__filename, 'utf8');
  const importLine = source.slice(source.indexOf('// tour:import\n') + '// tour:import\n'.length).split('\n')[0];
  const body = source.slice(source.indexOf('// tour:begin\n') + '// tour:begin\n'.length, source.indexOf('  // tour:end'));
  const dedented = body
    .split('\n')
    .map((l) => l.replace(/^ {2}/, ''))
    .join('\n');
  return `${importLine.replace("'../../src'", "'erlbridge'")}\n\n${dedented.trimEnd()}`;
}

describe("README's tour", () => {
  it('is the code tsc compiles here, line for line', () => {
    expect(readmeTour()).toBe(compiledTour());
  });

  it('has no `as any` and no casts', () => {
    expect(compiledTour()).not.toMatch(/\bas\s+(any|unknown|Term|number|bigint|Atom|Tuple)\b/);
  });
});
