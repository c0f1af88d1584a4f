import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';
import { Cookie, CookieError, CookieJar, cookieFor, readCookieFile, resolveCookie } from '../../handshake';
import { thrownBy } from '../support/thrown';

describe('cookies', () => {
  let home: string;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-cookie-'));
  });

  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  const writeCookie = (file: string, content: string | Buffer, mode = 0o400): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
  };

  it('never shows its value when printed, serialized or inspected', () => {
    const cookie = Cookie.fromString('TOPSECRET');
    const jar = new CookieJar(cookie);
    jar.set('a@b', Cookie.fromString('ALSOSECRET'));
    for (const text of [String(cookie), cookie.toString(), JSON.stringify({ cookie }), inspect(cookie), inspect({ jar }), String(jar)]) {
      expect(text).not.toMatch(/SECRET/);
    }
    expect(cookie.reveal().toString('latin1')).toBe('TOPSECRET');
  });

  it('prefers --cookie, then ERLANG_COOKIE, then the cookie file', () => {
    writeCookie(path.join(home, '.erlang.cookie'), 'FROMFILE\n');
    const env = { ERLANG_COOKIE: 'FROMENV' };
    expect(resolveCookie({ cookie: 'FROMARG', env, homeDir: home }).reveal().toString()).toBe('FROMARG');
    expect(resolveCookie({ env, homeDir: home }).reveal().toString()).toBe('FROMENV');
    expect(resolveCookie({ env: {}, homeDir: home }).reveal().toString()).toBe('FROMFILE');
  });

  it('creates ~/.erlang.cookie with 20 uppercase letters and mode 0400 when there is none', () => {
    const first = resolveCookie({ env: {}, homeDir: home }).reveal().toString();
    const file = path.join(home, '.erlang.cookie');
    expect(first).toMatch(/^[A-Z]{20}$/);
    expect(fs.readFileSync(file, 'latin1')).toBe(first);
    expect(fs.statSync(file).mode & 0o777).toBe(0o400);
    expect(resolveCookie({ env: {}, homeDir: home }).reveal().toString()).toBe(first);
  });

  it('falls back to $XDG_CONFIG_HOME/erlang/.erlang.cookie like erl', () => {
    const xdg = path.join(home, 'xdg');
    writeCookie(path.join(xdg, 'erlang', '.erlang.cookie'), 'FROMXDG');
    expect(
      resolveCookie({ env: { XDG_CONFIG_HOME: xdg }, homeDir: home })
        .reveal()
        .toString(),
    ).toBe('FROMXDG');
    expect(fs.existsSync(path.join(home, '.erlang.cookie'))).toBe(false);
  });

  it('reads cookie files with erl rules', () => {
    const file = path.join(home, 'cookie');
    writeCookie(file, 'with space\r\n \n');
    expect(readCookieFile(file)?.reveal().toString()).toBe('with space');
    fs.rmSync(file);
    expect(readCookieFile(file)).toBeNull();
    writeCookie(file, 'bad\ncookie');
    expect(() => readCookieFile(file)).toThrow(/bad characters/);
    expect(thrownBy(() => readCookieFile(file))).toMatchObject({ code: 'bad_characters' });
    fs.rmSync(file);
    writeCookie(file, '\n');
    expect(() => readCookieFile(file)).toThrow(CookieError);
    expect(thrownBy(() => readCookieFile(file))).toMatchObject({ code: 'empty' });
    fs.rmSync(file);
    writeCookie(file, 'GROUPREADABLE', 0o440);
    expect(() => readCookieFile(file)).toThrow(/owner only/);
    expect(thrownBy(() => readCookieFile(file))).toMatchObject({ code: 'bad_permissions' });
    expect(thrownBy(() => readCookieFile(home))).toMatchObject({ code: 'not_a_file' });
  });

  it('keeps cookie text out of its error messages', () => {
    expect(() => Cookie.fromString('SECRET\u0100')).toThrow(CookieError);
    try {
      Cookie.fromString('SECRET\u0100');
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET');
    }
    expect(() => Cookie.fromString('')).toThrow(/empty/);
    expect(thrownBy(() => Cookie.fromString('SECRET\u0100'))).toMatchObject({ code: 'bad_characters' });
  });

  it('keeps cookies per node, like erlang:set_cookie/2', () => {
    const fallback = Cookie.fromString('DEFAULT');
    const special = Cookie.fromString('SPECIAL');
    const jar = new CookieJar(fallback);
    jar.set('a@host', special);
    expect(jar.cookieFor('a@host')).toBe(special);
    expect(jar.cookieFor('b@host')).toBe(fallback);
    expect(cookieFor(jar, 'a@host')).toBe(special);
    expect(cookieFor(fallback, 'a@host')).toBe(fallback);
    jar.delete('a@host');
    expect(jar.cookieFor('a@host')).toBe(fallback);
  });
});
