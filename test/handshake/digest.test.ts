import { Cookie } from '../../handshake';
import { challengeDigest, digestMatches, newChallenge } from '../../handshake/digest';

describe('challenge digest', () => {
  it('is md5 of the cookie and the challenge as an unsigned decimal', () => {
    // erl: erlang:md5("secret" ++ integer_to_list(3735928559)); 0xdeadbeef is negative as an i32.
    expect(challengeDigest(Cookie.fromString('secret'), 0xdeadbeef).toString('hex')).toBe('c3939b31d7a913d82e2ace09247c7b41');
    expect(challengeDigest(Cookie.fromString('secret'), 42).toString('hex')).toBe('5ce06e46867de8252365147b667f1c20');
  });

  it('compares digests by content and length', () => {
    const digest = challengeDigest(Cookie.fromString('secret'), 42);
    expect(digestMatches(Buffer.from(digest), digest)).toBe(true);
    expect(digestMatches(challengeDigest(Cookie.fromString('other'), 42), digest)).toBe(false);
    expect(digestMatches(digest.subarray(0, 15), digest)).toBe(false);
  });

  it('draws challenges across the whole u32 range', () => {
    const challenges = Array.from({ length: 64 }, newChallenge);
    for (const challenge of challenges) {
      expect(Number.isInteger(challenge) && challenge >= 0 && challenge <= 0xffffffff).toBe(true);
    }
    expect(new Set(challenges).size).toBeGreaterThan(60);
    expect(challenges.some((challenge) => challenge >= 0x80000000)).toBe(true);
  });
});
