/**
 * A node's name mode follows the host it is given (`ts@10.0.0.5` is a long name) unless
 * `longNames` says otherwise, and dialing a peer of the other mode fails as erl's does.
 */
import { ErlNode } from '../../src/node/node';
import { uniqueName } from '../support/otp';

const started: ErlNode[] = [];
afterAll(async () => {
  for (const node of started) await node.stop();
});

async function start(name: string, longNames?: boolean): Promise<ErlNode> {
  const node = await ErlNode.start({ name, longNames, cookie: 'long-names', distListen: false, log: () => undefined });
  started.push(node);
  return node;
}

describe('name modes', () => {
  it('a name with an IP address or a dotted host is long without being told', async () => {
    const byIp = await start(`${uniqueName('ip')}@127.0.0.1`);
    expect(byIp.name).toMatch(/@127\.0\.0\.1$/);
    await expect(byIp.connect('peer@vm', { timeout: 1000 })).rejects.toThrow('System running to use fully qualified hostnames');
    const dotted = await start(`${uniqueName('fq')}@vm.example.com`);
    await expect(dotted.connect('peer@vm', { timeout: 1000 })).rejects.toThrow('Hostname vm is illegal');
  });

  it('a name with a plain host is short, and cannot dial a long name', async () => {
    const node = await start(`${uniqueName('sh')}@vm`);
    await expect(node.connect('peer@127.0.0.1', { timeout: 1000 })).rejects.toThrow('System NOT running to use fully qualified hostnames');
  });

  it('longNames: false with a dotted host is refused, as erl -sname refuses it', async () => {
    await expect(start(`${uniqueName('no')}@10.0.0.5`, false)).rejects.toThrow('a short name (-sname) needs a host without dots');
  });
});
