/**
 * The node's logger: levels that let through what erl's logger lets through, the text of erl's
 * default handler (its header, for every severity, compared with erl's logger_formatter), the
 * JSON lines, and the reports of TypeScript processes that end badly.
 */
import { atom } from '../../codec';
import { EpmdServer } from '../../handshake';
import { startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { ErlangError, ErlangExit, ErlangThrow } from '../../src/process/exceptions';
import { LOG_SEVERITIES, LogLevel } from '../../src/process/log-event';
import { formatLogEvent } from '../../src/process/log-format';
import { describeOtp, erlEval, uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';

const SETTINGS: LogLevel[] = ['none', ...LOG_SEVERITIES, 'all'];

describeOtp('the node logger, beside erl logger', (otp) => {
  let epmd: EpmdServer;
  const nodes: ErlNode[] = [];
  const cookie = uniqueName('cookie');

  const startNode = async (options: { logLevel?: LogLevel; logFormat?: 'text' | 'json' } = {}) => {
    const lines: string[] = [];
    const node = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: (l) => lines.push(l), ...options });
    nodes.push(node);
    return { node, lines };
  };

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
  });

  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await epmd?.close();
  });

  it('lets through, at each level setting, the severities erl logger lets through; the default is notice', async () => {
    const erlAllows = erlEval(
      otp,
      `io:format("~w~n", [[begin ok = logger:set_primary_config(level, L), [logger:allow(S, m) || S <- ${`[${LOG_SEVERITIES.join(',')}]`}] end || L <- [${SETTINGS.join(',')}]]]), halt().`,
      [],
      30000,
    ).trim();
    const erlDefault = erlEval(otp, 'io:format("~w~n", [maps:get(level, logger:get_primary_config())]), halt().', [], 30000).trim();
    const { node, lines } = await startNode();
    expect(node.logger.level).toBe(erlDefault);
    const ours = SETTINGS.map((level) => {
      node.logger.setLevel(level);
      return LOG_SEVERITIES.map((severity) => node.logger.allows(severity));
    });
    expect(`[${ours.map((row) => `[${row.join(',')}]`).join(',')}]`).toBe(erlAllows);
    // What allows says is what is written.
    node.logger.setLevel('warning');
    node.logger.notice('not this');
    node.logger.warning('this');
    node.logger.setLevel('none');
    node.logger.emit({ level: 'emergency', time: 0, text: 'nor this' });
    expect(lines.map((l) => l.split('\n')[1])).toEqual(['this']);
    // erl says {error, {invalid_level, bogus}}; here a TypeError, and the level stays.
    expect(() => node.logger.setLevel('bogus' as LogLevel)).toThrow(TypeError);
    expect(node.logger.level).toBe('none');
    await expect(ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, logLevel: 'loud' as LogLevel })).rejects.toThrow(
      /invalid log level "loud"/,
    );
  });

  it("writes every severity as erl's default handler does (header, then the message)", () => {
    const time = 1796626007225689;
    const erlText = erlEval(
      otp,
      `[io:put_chars(logger_formatter:format(#{level => L, msg => {string, "hello"}, meta => #{time => ${time}}}, #{legacy_header => true, single_line => false})) || L <- [${LOG_SEVERITIES.join(',')}]], halt().`,
      [],
      30000,
    );
    const ours = LOG_SEVERITIES.map((level) => `${formatLogEvent({ level, time, text: 'hello' }, 'text', 'ts@h')}\n`).join('');
    expect(ours).toBe(erlText);
  });

  it('reports a spawned body that dies of a JavaScript error (with its stack) or a throw, not one that exits', async () => {
    const { node, lines } = await startNode();
    const crashed = node.spawn(
      () => {
        (null as unknown as { go(): void }).go();
      },
      { name: 'crasher' },
    );
    await crashed.done;
    const thrown = node.spawn(() => {
      throw new ErlangThrow(atom('ball'));
    });
    await thrown.done;
    const exited = node.spawn(() => {
      throw new ErlangExit(atom('bye'));
    });
    await exited.done;
    expect(lines).toHaveLength(2);
    const [crash, toss] = lines;
    expect(crash).toMatch(
      new RegExp(
        `^=ERROR REPORT==== .* ===\\nError in process <0\\.${crashed.pid.id}\\.0> on node ${node.name} with exit value:\\n\\{\\{js_error,<<.*>>\\},\\[\\]\\}\\nJavaScript: TypeError: `,
      ),
    );
    expect(crash).toContain('logger.test.ts');
    expect(toss).toMatch(
      new RegExp(`Error in process <0\\.${thrown.pid.id}\\.0> on node ${node.name} with exit value:\\n\\{\\{nocatch,ball\\},\\[\\]\\}$`),
    );
  });

  it('keeps a report bounded: a huge reason is cut, a deep JavaScript stack too', async () => {
    const { node, lines } = await startNode();
    const huge = node.spawn(() => {
      throw new ErlangError(Array.from({ length: 100_000 }, (_, i) => i));
    });
    await huge.done;
    const recurse = (n: number): void => {
      if (n === 0) throw new RangeError('deep');
      recurse(n - 1);
    };
    const deep = node.spawn(() => recurse(50));
    await deep.done;
    expect(lines).toHaveLength(2);
    expect(lines[0].length).toBeLessThan(2500);
    expect(lines[0]).toMatch(/\.\.\.$/);
    expect(lines[1]).toMatch(/\n {2}\.\.\. \d+ more$/);
    expect(lines[1].split('\n').length).toBeLessThan(20);
  });

  it('JSON: one object per line with time, level, node, pid, registered name, msg and the report fields', async () => {
    const { node, lines } = await startNode({ logFormat: 'json' });
    node.logger.notice('hello');
    const server = await startGenServer(
      node,
      {
        handleCast() {
          throw new RangeError('too far');
        },
      },
      { name: 'jsonsrv' },
    );
    server.cast(atom('go'));
    await server.process.done;
    await waitFor('the report', () => lines.length >= 2);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    const [hello, report] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(hello).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) as unknown,
      level: 'notice',
      node: node.name,
      msg: 'hello',
    });
    expect(report).toMatchObject({
      level: 'error',
      node: node.name,
      pid: `<0.${server.pid.id}.0>`,
      registered_name: 'jsonsrv',
      label: 'gen_server_terminate',
      last_message: "{'$gen_cast',go}",
      state: '#{}',
      reason: expect.stringMatching(/^\{\{js_error,<<.*>>\},\[\{jsonsrv,handle_cast,2,\[\{file,/) as unknown,
      js_stack: expect.arrayContaining([expect.stringContaining('logger.test.ts')]) as unknown,
    });
    expect(report.msg).toMatch(/^\*\* Generic server jsonsrv terminating \n/);
  });

  it('a node started with logLevel error leaves out its warnings; setLevel brings them back', async () => {
    const { node, lines } = await startNode({ logLevel: 'error' });
    node.logger.warning('quiet');
    node.logger.setLevel('warning');
    node.logger.warning('loud');
    expect(lines).toEqual([expect.stringMatching(/^=WARNING REPORT==== .* ===\nloud$/)]);
  });
});
