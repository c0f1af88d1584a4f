import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';

const REDACTED = 'Cookie(<redacted>)';

/** What is wrong with a cookie or its file, as a stable machine-readable code. */
export type CookieErrorCode = 'empty' | 'bad_characters' | 'unreadable' | 'not_a_file' | 'bad_permissions' | 'create_failed';

/** A cookie problem. Messages name files, never the cookie itself. */
export class CookieError extends Error {
  override readonly name = 'CookieError';

  constructor(
    readonly code: CookieErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The shared secret of a cluster. It prints as `Cookie(<redacted>)` through `toString`,
 * `JSON.stringify` and `util.inspect`, so it cannot leak into logs by accident; {@link reveal}
 * is the only way to read it.
 */
export class Cookie {
  readonly #bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /**
   * A cookie from text, e.g. `--cookie` or `ERLANG_COOKIE`. erl hashes the cookie atom's
   * characters as bytes, so only characters up to U+00FF can be part of one.
   */
  static fromString(text: string): Cookie {
    if (text.length === 0) throw new CookieError('empty', 'the cookie is empty');
    // Any UTF-16 code unit above U+00FF (a surrogate is one too).
    if (/[\u0100-\uffff]/.test(text)) {
      throw new CookieError('bad_characters', 'the cookie has characters beyond U+00FF, which erl cannot hash');
    }
    return new Cookie(Buffer.from(text, 'latin1'));
  }

  /** The cookie's bytes, for the digest. Never log them. */
  reveal(): Buffer {
    return Buffer.from(this.#bytes);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Cookies per peer node, like `erlang:set_cookie(Node, Cookie)`; nodes without an entry use the
 * default cookie.
 */
export class CookieJar {
  readonly #perNode = new Map<string, Cookie>();

  constructor(public defaultCookie: Cookie) {}

  /** Use `cookie` for `node` (full `name@host`). */
  set(node: string, cookie: Cookie): void {
    this.#perNode.set(node, cookie);
  }

  /** Go back to the default cookie for `node`. */
  delete(node: string): void {
    this.#perNode.delete(node);
  }

  /** The cookie to use with `node`. */
  cookieFor(node: string): Cookie {
    return this.#perNode.get(node) ?? this.defaultCookie;
  }

  toString(): string {
    return `CookieJar(${this.#perNode.size} per-node cookies, <redacted>)`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A single cookie, or a jar of per-node cookies. */
export type CookieSource = Cookie | CookieJar;

/** The cookie `source` gives for `node`. */
export function cookieFor(source: CookieSource, node: string): Cookie {
  return source instanceof CookieJar ? source.cookieFor(node) : source;
}

/** Where {@link resolveCookie} looks. Defaults are the real environment. */
export interface CookieOptions {
  /** The `--cookie` value, if given. */
  cookie?: string;
  /** Environment to read `ERLANG_COOKIE` and `XDG_CONFIG_HOME` from. */
  env?: NodeJS.ProcessEnv;
  /** Home directory holding `.erlang.cookie`. */
  homeDir?: string;
}

/**
 * The cookie as erlbridge's CLI contract defines it: `--cookie`, else `ERLANG_COOKIE`, else the
 * cookie file erl uses: `~/.erlang.cookie`, else `$XDG_CONFIG_HOME/erlang/.erlang.cookie`, else a
 * new `~/.erlang.cookie` with 20 random uppercase letters and mode 0400 (as erl creates it).
 */
export function resolveCookie(options: CookieOptions = {}): Cookie {
  const env = options.env ?? process.env;
  if (options.cookie !== undefined) return Cookie.fromString(options.cookie);
  if (env.ERLANG_COOKIE) return Cookie.fromString(env.ERLANG_COOKIE);
  const homeDir = options.homeDir ?? os.homedir();
  const homeFile = path.join(homeDir, '.erlang.cookie');
  const xdgFile = path.join(env.XDG_CONFIG_HOME || path.join(homeDir, '.config'), 'erlang', '.erlang.cookie');
  for (const file of [homeFile, xdgFile]) {
    const cookie = readCookieFile(file);
    if (cookie) return cookie;
  }
  createCookieFile(homeFile);
  return readCookieFile(homeFile) as Cookie;
}

/**
 * Read a cookie file with erl's rules (auth.erl): a regular file that only its owner may access,
 * printable ASCII, trailing newlines/spaces ignored. Returns null when the file does not exist.
 */
export function readCookieFile(file: string): Cookie | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CookieError('unreadable', `cannot read cookie file ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) throw new CookieError('not_a_file', `cookie file ${file} is not a regular file`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new CookieError('bad_permissions', `cookie file ${file} must be accessible by owner only`);
  }
  return Cookie.fromString(cookieText(fs.readFileSync(file), file));
}

// Printable ASCII up to the first other byte; after that only newlines, CRs and spaces.
function cookieText(content: Buffer, file: string): string {
  let end = 0;
  while (end < content.length && content[end] >= 0x20 && content[end] <= 0x7e) end += 1;
  for (let i = end; i < content.length; i += 1) {
    if (content[i] !== 0x0a && content[i] !== 0x0d && content[i] !== 0x20) {
      throw new CookieError('bad_characters', `bad characters in cookie file ${file}`);
    }
  }
  if (end === 0) throw new CookieError('empty', `cookie file ${file} holds no cookie`);
  return content.toString('latin1', 0, end);
}

const COOKIE_LETTERS = 20;

function createCookieFile(file: string): void {
  let text = '';
  for (let i = 0; i < COOKIE_LETTERS; i += 1) text += String.fromCharCode(65 + crypto.randomInt(26));
  try {
    // 'wx': never overwrite a cookie file another process created meanwhile.
    fs.writeFileSync(file, text, { mode: 0o400, flag: 'wx' });
    fs.chmodSync(file, 0o400);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new CookieError('create_failed', `cannot create cookie file ${file}: ${(err as Error).message}`);
  }
}
