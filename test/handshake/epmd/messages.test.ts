import {
  alive2ReplyLength,
  parseAlive2Reply,
  parseNamesReply,
  parsePort2Reply,
  serializeAlive2Reply,
  serializeNamesReply,
  serializePort2Reply,
} from '../../../handshake/epmd/replies';
import {
  parseEpmdRequest,
  serializeAlive2Request,
  serializeNamesRequest,
  serializePortPlease2Request,
} from '../../../handshake/epmd/requests';
import { resolveEpmdPort } from '../../../handshake';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const registration = {
  name: 'ts',
  port: 0x1234,
  nodeType: 77,
  protocol: 0,
  highestVersion: 6,
  lowestVersion: 5,
  extra: Buffer.alloc(0),
};

describe('EPMD messages', () => {
  it('lays out ALIVE2_REQ like erl: port, 77, 0, 6, 5, name, empty extra', () => {
    const request = serializeAlive2Request(registration);
    expect(request).toEqual(hex('000f 78 1234 4d 00 0006 0005 0002 7473 0000'));
    expect(parseEpmdRequest(request.subarray(2))).toEqual({ kind: 'alive2', registration });
  });

  it('lays out PORT_PLEASE2_REQ and NAMES_REQ', () => {
    expect(serializePortPlease2Request('ts')).toEqual(hex('0003 7a 7473'));
    expect(serializeNamesRequest()).toEqual(hex('0001 6e'));
    expect(parseEpmdRequest(hex('7a 7473'))).toEqual({ kind: 'port_please2', name: 'ts' });
    expect(parseEpmdRequest(hex('7a 7473 00'))).toEqual({ kind: 'port_please2', name: 'ts' });
    expect(parseEpmdRequest(hex('6e'))).toEqual({ kind: 'names' });
  });

  it('drops what epmd drops and rejects what epmd rejects', () => {
    expect(parseEpmdRequest(hex('64')).kind).toBe('invalid');
    expect(parseEpmdRequest(hex('78 1234 4d 00 0006 0005 0002')).kind).toBe('invalid');
    expect(parseEpmdRequest(hex('78 1234 4d 00 0006 0005 0009 7473 0000')).kind).toBe('invalid');
    expect(parseEpmdRequest(hex('78 1234 4d 00 0006 0005 0002 7400 0000')).kind).toBe('invalid');
    expect(parseEpmdRequest(hex('78 1234 4d 00 0006 0005 0002 ffff 0000'))).toMatchObject({ kind: 'rejected', highestVersion: 6 });
    expect(parseEpmdRequest(hex('7a')).kind).toBe('invalid');
    expect(parseEpmdRequest(hex('7a 74 00 73')).kind).toBe('invalid');
    const longName = Buffer.from('a'.repeat(256));
    expect(parseEpmdRequest(Buffer.concat([hex('7a'), longName])).kind).toBe('invalid');
  });

  it('writes and reads both ALIVE2 reply forms', () => {
    expect(serializeAlive2Reply(0, 0xfedcba98, true)).toEqual(hex('76 00 fedcba98'));
    expect(serializeAlive2Reply(1, 99, false)).toEqual(hex('79 01 0063'));
    expect(alive2ReplyLength(0x76)).toBe(6);
    expect(alive2ReplyLength(0x79)).toBe(4);
    expect(alive2ReplyLength(0x77)).toBeNull();
    expect(parseAlive2Reply(hex('76 00 fedcba98'))).toEqual({ result: 0, creation: 0xfedcba98 });
    expect(parseAlive2Reply(hex('79 01 0063'))).toEqual({ result: 1, creation: 99 });
  });

  it('writes and reads PORT2_RESP, found and not found', () => {
    const reply = serializePort2Reply(registration);
    expect(reply).toEqual(hex('77 00 1234 4d 00 0006 0005 0002 7473 0000'));
    expect(parsePort2Reply(reply)).toEqual(registration);
    expect(serializePort2Reply(null)).toEqual(hex('77 01'));
    expect(parsePort2Reply(hex('77 01'))).toBeNull();
    expect(() => parsePort2Reply(hex('77 00 1234 4d'))).toThrow(RangeError);
    expect(() => parsePort2Reply(hex('78 01'))).toThrow(RangeError);
  });

  it('writes and reads the NAMES reply', () => {
    const reply = serializeNamesReply(4369, [
      { name: 'a', port: 1000 },
      { name: 'b', port: 2000 },
    ]);
    expect(reply).toEqual(Buffer.concat([hex('00001111'), Buffer.from('name a at port 1000\nname b at port 2000\n')]));
    expect(parseNamesReply(reply)).toEqual({
      epmdPort: 4369,
      nodes: [
        { name: 'a', port: 1000 },
        { name: 'b', port: 2000 },
      ],
    });
    expect(parseNamesReply(hex('00001111'))).toEqual({ epmdPort: 4369, nodes: [] });
  });

  it('takes the port from the option, else ERL_EPMD_PORT, else 4369', () => {
    expect(resolveEpmdPort(1234, { ERL_EPMD_PORT: '5678' })).toBe(1234);
    expect(resolveEpmdPort(undefined, { ERL_EPMD_PORT: '5678' })).toBe(5678);
    expect(resolveEpmdPort(undefined, { ERL_EPMD_PORT: 'nonsense' })).toBe(4369);
    expect(resolveEpmdPort(undefined, {})).toBe(4369);
  });
});
