import {
  advertisedFlags,
  DEFAULT_DIST_FLAGS,
  DIST_MANDATORY_25,
  DIST_MANDATORY_26,
  DistFlag,
  expandMandatory25,
  flagNames,
  missingFlags,
} from '../../handshake';

describe('distribution flags', () => {
  it('has the values OTP uses, not the documented bit 36 for MANDATORY_25_DIGEST', () => {
    expect(DistFlag.MANDATORY_25_DIGEST).toBe(0x04000000n);
    expect(DistFlag.SPAWN).toBe(0x100000000n);
    expect(DistFlag.NAME_ME).toBe(0x200000000n);
    expect(DistFlag.V4_NC).toBe(0x400000000n);
    expect(DistFlag.ALIAS).toBe(0x800000000n);
    expect(DistFlag.ALTACT_SIG).toBe(0x2000000000n);
    expect(DistFlag.NATIVE_RECORDS).toBe(0x4000000000n);
  });

  it('has the mandatory sets of OTP 25 (0x1070f94) and OTP 26+ (0x403070f94)', () => {
    expect(DIST_MANDATORY_25).toBe(0x1070f94n);
    expect(DIST_MANDATORY_26).toBe(0x403070f94n);
  });

  it('advertises what erl advertises: 0xd07df7fbc hidden, 0xd07df7fbd visible', () => {
    expect(DEFAULT_DIST_FLAGS).toBe(0xd07df7fbcn);
    expect(advertisedFlags()).toBe(0xd07df7fbcn);
    expect(advertisedFlags({ visible: true })).toBe(0xd07df7fbdn);
  });

  it('lets the caller change the base set, e.g. without FRAGMENTS and the atom cache', () => {
    const base = DEFAULT_DIST_FLAGS & ~(DistFlag.FRAGMENTS | DistFlag.DIST_HDR_ATOM_CACHE);
    expect(advertisedFlags({ base })).toBe(0xd075f5fbcn);
    expect(advertisedFlags({ base: base | DistFlag.PUBLISHED, visible: false }) & DistFlag.PUBLISHED).toBe(0n);
  });

  it('expands MANDATORY_25_DIGEST to the OTP 25 set', () => {
    expect(expandMandatory25(DistFlag.MANDATORY_25_DIGEST)).toBe(DistFlag.MANDATORY_25_DIGEST | DIST_MANDATORY_25);
    expect(expandMandatory25(DistFlag.PUBLISHED)).toBe(DistFlag.PUBLISHED);
  });

  it('names flags with OTP names, lowest bit first, unknown bits in hex', () => {
    expect(flagNames(DistFlag.PUBLISHED | DistFlag.V4_NC)).toEqual(['PUBLISHED', 'V4_NC']);
    expect(flagNames(1n << 40n)).toEqual(['UNKNOWN<10000000000>']);
    expect(flagNames(0x6d07df7fbdn)).not.toContainEqual(expect.stringMatching(/UNKNOWN/));
    expect(flagNames(0n)).toEqual([]);
  });

  it('lists the required flags an offer lacks', () => {
    expect(missingFlags(DIST_MANDATORY_26, DIST_MANDATORY_25)).toEqual(['UNLINK_ID', 'V4_NC']);
    expect(missingFlags(DIST_MANDATORY_26, DEFAULT_DIST_FLAGS)).toEqual([]);
  });
});
