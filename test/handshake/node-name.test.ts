import * as os from 'os';
import { checkOwnNodeName, isValidNodeName, makeNodeName, NodeNameError, parseNodeName, shortHostName } from '../../handshake';
import { thrownBy } from '../support/thrown';

describe('node names', () => {
  it('splits name@host', () => {
    expect(parseNodeName('ts@vm')).toEqual({ alive: 'ts', host: 'vm', full: 'ts@vm' });
    expect(parseNodeName('a@b.example.com').host).toBe('b.example.com');
  });

  it.each(['ts', '@vm', 'ts@', 'a@b@c', '', '@'])('rejects %j as a node name', (text) => {
    expect(() => parseNodeName(text)).toThrow(NodeNameError);
    expect(isValidNodeName(text)).toBe(false);
  });

  it('rejects names longer than an atom can be', () => {
    expect(isValidNodeName(`${'a'.repeat(250)}@vmvm`)).toBe(true);
    expect(isValidNodeName(`${'a'.repeat(251)}@vmvm`)).toBe(false);
  });

  it('says which rule a name breaks in its code', () => {
    expect(thrownBy(() => parseNodeName('a@b@c'))).toMatchObject({ code: 'malformed' });
    expect(thrownBy(() => parseNodeName(`${'a'.repeat(251)}@vmvm`))).toMatchObject({ code: 'too_long' });
    expect(thrownBy(() => checkOwnNodeName(parseNodeName('my.node@vm'), 'short'))).toMatchObject({ code: 'bad_characters' });
    expect(thrownBy(() => checkOwnNodeName(parseNodeName('ts@vm.example.com'), 'short'))).toMatchObject({ code: 'bad_host' });
    expect(thrownBy(() => checkOwnNodeName(parseNodeName('ts@vm'), 'long'))).toMatchObject({ code: 'bad_host' });
  });

  it('applies the -sname rule: no dots in the host', () => {
    expect(() => checkOwnNodeName(parseNodeName('ts@vm'), 'short')).not.toThrow();
    expect(() => checkOwnNodeName(parseNodeName('ts@vm.example.com'), 'short')).toThrow(/short name/);
  });

  it('applies the -name rule: a dotted host or an IP address', () => {
    expect(() => checkOwnNodeName(parseNodeName('ts@vm.example.com'), 'long')).not.toThrow();
    expect(() => checkOwnNodeName(parseNodeName('ts@10.0.0.1'), 'long')).not.toThrow();
    expect(() => checkOwnNodeName(parseNodeName('ts@::1'), 'long')).not.toThrow();
    expect(() => checkOwnNodeName(parseNodeName('ts@vm'), 'long')).toThrow(/long name/);
  });

  it('accepts only letters, digits, _ and - before the @ of our own name', () => {
    expect(() => checkOwnNodeName(parseNodeName('my_node-1@vm'), 'short')).not.toThrow();
    expect(() => checkOwnNodeName(parseNodeName('my.node@vm'), 'short')).toThrow(NodeNameError);
  });

  it('gives a short name the short host name by default', async () => {
    expect(shortHostName()).toBe(os.hostname().split('.')[0]);
    expect((await makeNodeName('ts', 'short')).full).toBe(`ts@${shortHostName()}`);
    expect((await makeNodeName('ts@otherhost', 'short')).host).toBe('otherhost');
    await expect(makeNodeName('ts@a.b', 'short')).rejects.toThrow(NodeNameError);
  });

  it('gives a long name a dotted host, or says it cannot find one', async () => {
    const outcome = await makeNodeName('ts', 'long').then(
      (name) => name.host,
      (error: Error) => error,
    );
    if (typeof outcome === 'string') expect(outcome).toContain('.');
    else expect(outcome).toBeInstanceOf(NodeNameError);
    expect((await makeNodeName('ts@127.0.0.1', 'long')).full).toBe('ts@127.0.0.1');
  });
});
