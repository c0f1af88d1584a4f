/**
 * lib_chan against real erl (OTP 25/27/29): the clean-room Erlang client in fixtures/lib_chan
 * against the TypeScript server, and the TypeScript client against the clean-room Erlang server.
 * Each direction is one erl invocation per OTP.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { describeOtp, Otp, spawnOtp, stageFile } from '../support/otp';
import { AuthFailError, BadServiceError, ChanServer, ChannelClosedError, connect, parseChanConfig, startChanServer } from '../../src/chan';
import { Term, Tuple, atom, charlist, equals, tuple } from '../../codec';
import { parseTerm } from '../../codec/text';

const FIXTURES = path.join(__dirname, '../../fixtures/lib_chan');
const MODULES = ['chan_client', 'chan_server', 'chan_conformance'];
const CONFIG = fs.readFileSync(path.join(FIXTURES, 'lib_chan.conf'), 'utf8').replace('{port, 2233}', '{port, 0}');

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Stage the fixture modules and a config for `otp`; returns erl code that compiles them, and the config path. */
function prepare(otp: Otp): { compile: string; config: string } {
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-chan-'));
  tempDirs.push(hostDir);
  const configFile = path.join(hostDir, 'lib_chan.conf');
  fs.writeFileSync(configFile, CONFIG);
  const sources = MODULES.map((m) => stageFile(otp, path.join(FIXTURES, `${m}.erl`)));
  const config = stageFile(otp, configFile);
  const outDir = otp.root === null ? hostDir : path.dirname(config);
  const compile =
    `[{ok, _} = compile:file(F, [{outdir, "${outDir}"}, report_errors]) || F <- ${JSON.stringify(sources)}], ` +
    `code:add_patha("${outDir}"), `;
  return { compile, config };
}

/** Run erl with `code` to completion (without blocking this process: the TS server must keep serving). */
function runErl(otp: Otp, code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnOtp(otp, 'erl', ['-noshell', '-eval', code]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      if (status === 0) resolve(out);
      else reject(new Error(`erl exited with ${status}: ${out}${err}`));
    });
  });
}

const ok = (v: Term) => tuple(atom('ok'), v);
const error = (v: Term) => tuple(atom('error'), v);

describeOtp('lib_chan', (otp) => {
  describe('erl client -> TypeScript server', () => {
    let server: ChanServer;
    const logs: string[] = [];
    let results: Map<string, Term>;

    beforeAll(async () => {
      server = await startChanServer(parseChanConfig(CONFIG), { log: (line) => logs.push(line) });
      const { compile } = prepare(otp);
      const out = await runErl(otp, `${compile} chan_conformance:run(${server.address.port}), halt().`);
      const line = /^RESULTS (.*)$/m.exec(out);
      if (!line) throw new Error(`no results from erl: ${out}`);
      const list = parseTerm(line[1]) as Term[];
      results = new Map(list.map((entry) => [((entry as Tuple).get(0) as ReturnType<typeof atom>).name, (entry as Tuple).get(1)]));
    });
    afterAll(() => server.close());

    const expectResult = (name: string, expected: Term) => {
      const got = results.get(name) as Term;
      if (!equals(got, expected))
        throw new Error(`${name}: got ${JSON.stringify(got, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
    };

    it('stores by cast and looks up by rpc on the name server', () => {
      expectResult('name_server', [ok(charlist('writing a book')), atom('undefined')]);
    });
    it('serves a password-none service', () => expectResult('password_none', charlist('hello')));
    it('answers a wrong password with authFail', () => expectResult('wrong_password', error(atom('authFail'))));
    it('answers an unknown service with badService', () => expectResult('bad_service', error(atom('badService'))));
    it('closes on a first frame that is not startService', () => {
      expectResult('not_start_service', error(atom('closed')));
      expect(logs.some((l) => /protocol violation: first frame \{hello,world\}/.test(l))).toBe(true);
    });
    it('closes on a garbage frame', () => {
      expectResult('garbage_frame', error(atom('closed')));
      expect(logs.some((l) => /undecodable frame/.test(l))).toBe(true);
    });
    it('answers a response sent as a binary with authFail, then closes', () => {
      expectResult('binary_response', [ok(atom('authFail')), error(atom('closed'))]);
    });
    it('decodes compressed terms', () => expectResult('compressed', tuple(true, true)));
    it('replies with a bignum', () => expectResult('factorial_25', 15511210043330985984000000n));
    it('forgets a client that vanishes mid-challenge, and still serves', () => {
      expectResult('vanish_mid_challenge', 25);
      expect(logs.some((l) => /handshake ended: lib_chan: closed by the peer/.test(l))).toBe(true);
      expectResult('still_serving', ok(charlist('writing a book')));
      expect(server.sessionCount).toBe(0);
    });
  });

  describe('TypeScript client -> erl server', () => {
    let erl: ChildProcess;
    let port: number;

    beforeAll(async () => {
      const { compile, config } = prepare(otp);
      erl = spawnOtp(otp, 'erl', ['-noshell', '-eval', `${compile} chan_server:serve("${config}").`]);
      port = await new Promise<number>((resolve, reject) => {
        let out = '';
        erl.stdout?.on('data', (d) => {
          out += d;
          const match = /listening (\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        erl.on('exit', (status) => reject(new Error(`erl server exited with ${status}: ${out}`)));
      });
    });
    afterAll(() => {
      if (erl.pid !== undefined) process.kill(erl.pid, 'SIGKILL');
    });

    it('runs the book session and gets a bignum from math', async () => {
      const names = await connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45' });
      names.send(tuple(atom('store'), atom('joe'), charlist('writing a book')));
      expect(equals(await names.rpc(tuple(atom('lookup'), atom('joe')), { timeout: 5000 }), ok(charlist('writing a book')))).toBe(true);
      expect(await names.rpc(tuple(atom('lookup'), atom('jim')), { timeout: 5000 })).toBe(atom('undefined'));
      names.close();
      const math = await connect('127.0.0.1', port, 'math', { secret: 'qwerty' });
      expect(await math.rpc(tuple(atom('factorial'), 25), { timeout: 5000 })).toBe(15511210043330985984000000n);
      math.close();
      const echo = await connect('127.0.0.1', port, 'echo');
      expect(equals(await echo.rpc(charlist('hello'), { timeout: 5000 }), charlist('hello'))).toBe(true);
      echo.close();
    });

    it('gets BadServiceError, AuthFailError and ChannelClosedError', async () => {
      await expect(connect('127.0.0.1', port, 'nope', { secret: 'x' })).rejects.toBeInstanceOf(BadServiceError);
      await expect(connect('127.0.0.1', port, 'math', { secret: 'wrong' })).rejects.toBeInstanceOf(AuthFailError);
      const echo = await connect('127.0.0.1', port, 'echo');
      echo.close();
      await expect(echo.rpc(1)).rejects.toBeInstanceOf(ChannelClosedError);
    });
  });
});
