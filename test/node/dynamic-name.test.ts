/**
 * Dynamic node names (NAME_ME): an erl started with `-sname undefined` asks the node it dials
 * for a name, and erlbridge grants one as net_kernel does (a random base-36 name at the host the
 * peer gave, and a creation), on every OTP.
 */
import { atom } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { serveKvs } from '../../src/kvs/kvs';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('a peer with a dynamic name (-sname undefined)', (otp) => {
  let epmd: EpmdServer;
  let node: ErlNode;
  let erl: OtpNode;
  const cookie = uniqueName('cookie');
  const nodeups: string[] = [];

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
    node = await ErlNode.start({ name: uniqueName('dyn'), cookie, epmdPort: epmd.port, log: () => undefined });
    node.on('nodeup', (peer) => nodeups.push(peer));
    serveKvs(node);
    erl = await startOtpNode(otp, { sname: 'undefined', cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    await erl?.stop();
    await node?.stop();
    await epmd?.close();
  });

  it('gets its name from us on connecting, and is then a peer like any other', async () => {
    const host = node.name.split('@')[1];
    expect(await erl.eval(`net_kernel:connect_node('${node.name}')`)).toBe('true');
    const granted = await erl.eval('node()');
    expect(granted).toMatch(new RegExp(`^'?[0-9A-Z]+@${host}'?$`));
    const name = granted.replace(/'/g, '');
    expect(nodeups).toContain(name);
    // As between erl nodes: we announce NAME_ME instead of PUBLISHED, so the connection is hidden.
    expect(node.nodes('hidden')).toContain(name);
    expect(await erl.eval('nodes(hidden)')).toContain(node.name);
    expect(await erl.eval(`rpc:call('${node.name}', kvs, store, [weather, fine], 5000)`)).toBe('true');
    expect(await erl.eval(`rpc:call('${node.name}', kvs, lookup, [weather], 5000)`)).toBe('{ok,fine}');
    // Our pids reach it with its granted name and creation: a message sent back arrives.
    expect(await erl.eval(`begin register(back, self()), ok end`)).toBe('ok');
    node.send(['back', name], atom('hello'));
    expect(await erl.eval(`receive M -> M after 5000 -> timeout end`)).toBe('hello');
  });
});
