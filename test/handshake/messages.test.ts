import { MalformedMessageError } from '../../handshake';
import {
  parseAliveAnswer,
  parseChallenge,
  parseChallengeAck,
  parseChallengeReply,
  parseComplement,
  parseSendName,
  parseStatus,
} from '../../handshake/parser';
import {
  serializeChallenge,
  serializeChallengeAck,
  serializeChallengeReply,
  serializeSendName,
  serializeStatus,
} from '../../handshake/serializer';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const payloadOf = (frame: Buffer): Buffer => {
  expect(frame.readUInt16BE(0)).toBe(frame.length - 2);
  return frame.subarray(2);
};

describe('handshake messages', () => {
  it("lays out send_name like erl 25 does ('N', u64 flags, u32 creation, u16 length, name)", () => {
    const frame = serializeSendName({ flags: 0xd07df7fbdn, creation: 0x01020304, name: 'e1@vm' });
    expect(frame).toEqual(hex('0014 4e 0000000d07df7fbd 01020304 0005 653140766d'));
    expect(parseSendName(payloadOf(frame))).toEqual({ flags: 0xd07df7fbdn, creation: 0x01020304, name: 'e1@vm' });
  });

  it("parses the old 'n' send_name: u16 version, u32 flags, the rest is the name", () => {
    expect(parseSendName(hex('6e 0005 0007df7d 6f6c64406877'))).toEqual({ flags: 0x7df7dn, creation: null, name: 'old@hw' });
  });

  it('round-trips statuses, and parses named: with its name and creation', () => {
    for (const status of ['ok', 'ok_simultaneous', 'nok', 'not_allowed', 'alive'] as const) {
      expect(parseStatus(payloadOf(serializeStatus(status)))).toEqual({ status });
    }
    const named = Buffer.concat([Buffer.from('snamed:'), hex('0005'), Buffer.from('ab@vm'), hex('0000002a'), Buffer.from('extra')]);
    expect(parseStatus(named)).toEqual({ status: 'named', name: 'ab@vm', creation: 42 });
    expect(() => parseStatus(Buffer.from('snamed:\x00\x05ab@v'))).toThrow(MalformedMessageError);
    expect(() => parseStatus(Buffer.from('sweird'))).toThrow(MalformedMessageError);
  });

  it('parses the answers to alive', () => {
    expect(parseAliveAnswer(payloadOf(serializeStatus('true')))).toBe(true);
    expect(parseAliveAnswer(payloadOf(serializeStatus('false')))).toBe(false);
    expect(() => parseAliveAnswer(Buffer.from('smaybe'))).toThrow(MalformedMessageError);
  });

  it("lays out the challenge ('N', u64 flags, u32 challenge, u32 creation, u16 length, name)", () => {
    const frame = serializeChallenge({ flags: 0x1n << 34n, challenge: 0xdeadbeef, creation: 7, name: 'b@h' });
    expect(frame).toEqual(hex('0016 4e 0000000400000000 deadbeef 00000007 0003 624068'));
    expect(parseChallenge(payloadOf(frame))).toEqual({ flags: 0x1n << 34n, challenge: 0xdeadbeef, creation: 7, name: 'b@h' });
    // Trailing bytes after the name are ignored, as erl ignores them.
    expect(parseChallenge(Buffer.concat([payloadOf(frame), hex('ffff')])).name).toBe('b@h');
  });

  it('parses the complement: exactly 9 bytes', () => {
    expect(parseComplement(hex('63 00000004 0000002a'))).toEqual({ flagsHigh: 4, creation: 42 });
    expect(() => parseComplement(hex('63 00000004 000000'))).toThrow(MalformedMessageError);
  });

  it('round-trips the challenge reply and ack, and insists on 16-byte digests', () => {
    const digest = Buffer.alloc(16, 0xab);
    const reply = serializeChallengeReply({ challenge: 0x80000001, digest });
    expect(reply.subarray(0, 7)).toEqual(hex('0015 72 80000001'));
    expect(parseChallengeReply(payloadOf(reply))).toEqual({ challenge: 0x80000001, digest });
    expect(parseChallengeAck(payloadOf(serializeChallengeAck(digest)))).toEqual(digest);
    expect(() => parseChallengeReply(Buffer.concat([payloadOf(reply), hex('00')]))).toThrow(MalformedMessageError);
    expect(() => parseChallengeAck(hex('61 0102'))).toThrow(MalformedMessageError);
  });

  it.each([
    ['an empty send_name', hex('4e')],
    ['a name longer than the frame', hex('4e 0000000000000000 00000000 0010 6162')],
    ['an unknown first tag', hex('41 0000')],
  ])('rejects %s with a malformed-message error', (_what, payload) => {
    expect(() => parseSendName(payload)).toThrow(MalformedMessageError);
  });

  it('rejects truncated challenges and wrong tags', () => {
    expect(() => parseChallenge(hex('4e 00000000'))).toThrow(MalformedMessageError);
    expect(() => parseChallenge(hex('6e 0000000000000000 00000000 00000000 0000'))).toThrow(MalformedMessageError);
    expect(() => parseStatus(hex('4e'))).toThrow(MalformedMessageError);
  });
});
