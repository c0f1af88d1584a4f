/**
 * lib_chan's challenge/response: the server sends 25 random lowercase letters, the client answers
 * with the lowercase hex MD5 of the challenge followed by the password (each character one byte).
 */
import * as crypto from 'node:crypto';
import { Term, isCharlist } from '../../codec';

const CHALLENGE_LENGTH = 25;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A fresh challenge: 25 lowercase letters from a cryptographic random source. */
export function makeChallenge(): string {
  let challenge = '';
  for (let i = 0; i < CHALLENGE_LENGTH; i++) challenge += LETTERS[crypto.randomInt(LETTERS.length)];
  return challenge;
}

/** True when every character fits in one byte, as `erlang:md5` on a string requires. */
export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * The answer to `challenge` for `secret`: lowercase hex MD5 of their Latin-1 bytes. Characters above
 * 255 are a `RangeError` (the book's `erlang:md5` raises badarg on them).
 */
export function challengeResponse(challenge: string, secret: string): string {
  if (!isLatin1(challenge) || !isLatin1(secret)) {
    throw new RangeError('lib_chan: challenge and password must be Latin-1 (characters 0..255)');
  }
  return crypto
    .createHash('md5')
    .update(Buffer.from(challenge + secret, 'latin1'))
    .digest('hex');
}

/**
 * Whether `response` (the R of `{response, R}`) answers `challenge` for `secret`. R must be a string
 * (a charlist) as in the book, so a binary fails; the comparison takes the same time wherever the
 * first wrong character is.
 */
export function isResponseCorrect(challenge: string, secret: string, response: Term): boolean {
  const expected = Buffer.from(challengeResponse(challenge, secret), 'latin1');
  if (!isCharlist(response) || response.length !== expected.length) return false;
  if (response.some((c) => c > 0xff)) return false;
  return crypto.timingSafeEqual(Buffer.from(response), expected);
}
