import { lengthPrefixed, lengthPrefixedAt, readLengthPrefix } from '../../../handshake';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('length prefix', () => {
  it('puts a big-endian u16 or u32 length in front of the payload', () => {
    expect(lengthPrefixed(hex('616263'), 2)).toEqual(hex('0003 616263'));
    expect(lengthPrefixed(hex('616263'), 4)).toEqual(hex('00000003 616263'));
    expect(lengthPrefixed(Buffer.alloc(0), 2)).toEqual(hex('0000'));
    const big = lengthPrefixed(Buffer.alloc(0x1234, 7), 2);
    expect(big.subarray(0, 2)).toEqual(hex('1234'));
    expect(big.length).toBe(2 + 0x1234);
  });

  it('refuses a payload its prefix cannot count, and takes a u32 one', () => {
    expect(() => lengthPrefixed(Buffer.alloc(0x10000), 2)).toThrow(RangeError);
    expect(lengthPrefixed(Buffer.alloc(0x10000), 4).subarray(0, 4)).toEqual(hex('00010000'));
  });

  it('reads the prefix at an offset', () => {
    expect(readLengthPrefix(hex('ff 0102'), 2, 1)).toBe(0x0102);
    expect(readLengthPrefix(hex('80000001'), 4)).toBe(0x80000001);
  });

  it('reads a prefixed field back as a view, with the offset past it', () => {
    const bytes = hex('aa 0002 6869 0000 ff');
    const field = lengthPrefixedAt(bytes, 2, 1);
    expect(field).toEqual({ value: hex('6869'), end: 5 });
    expect(field?.value.buffer).toBe(bytes.buffer);
    expect(lengthPrefixedAt(bytes, 2, 5)).toEqual({ value: Buffer.alloc(0), end: 7 });
    expect(lengthPrefixedAt(lengthPrefixed(hex('0102'), 4), 4)).toEqual({ value: hex('0102'), end: 6 });
  });

  it('says null when the field or its prefix runs past the end', () => {
    expect(lengthPrefixedAt(hex('0003 6869'), 2)).toBeNull();
    expect(lengthPrefixedAt(hex('00'), 2)).toBeNull();
    expect(lengthPrefixedAt(hex('0000'), 2, 1)).toBeNull();
    expect(lengthPrefixedAt(hex('000000'), 4)).toBeNull();
  });
});
