import * as crypto from 'crypto';
import type { Cookie } from './cookie';

/** Length of an MD5 digest, the only length a challenge reply or ack may carry. */
export const DIGEST_LENGTH = 16;

/**
 * `md5(cookie ++ integer_to_list(Challenge))`. The challenge is a u32 and erl writes it as an
 * unsigned decimal; formatting it signed would fail for half of all challenges.
 */
export function challengeDigest(cookie: Cookie, challenge: number): Buffer {
  return crypto
    .createHash('md5')
    .update(cookie.reveal())
    .update((challenge >>> 0).toString(10), 'latin1')
    .digest();
}

/** Compare a received digest with the expected one in constant time. */
export function digestMatches(received: Buffer, expected: Buffer): boolean {
  return received.length === expected.length && crypto.timingSafeEqual(received, expected);
}

/** A fresh challenge: a random u32 from the system's CSPRNG. */
export function newChallenge(): number {
  return crypto.randomBytes(4).readUInt32BE(0);
}
