/**
 * The `erl` command line that reaches a node `erlbridge node` started, for its greeting: the
 * name form it must share (`-sname`, or `-name` on the same host), the cookie, a non-default
 * EPMD port and TLS distribution.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What the node was started with. */
export interface ErlCommandLineOptions {
  /** The node's full name, `alive@host`. */
  nodeName: string;
  longNames: boolean;
  /** The `--cookie` value, if one was given. */
  cookie?: string;
  /** The EPMD port the node registered with. */
  epmdPort: number;
  /** The `--ssl-dist-optfile` of TLS distribution, if that is on. */
  sslDistOptfile?: string;
  /** Where to read `ERLANG_COOKIE` and `XDG_CONFIG_HOME`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The greeting's two parts: the shell command, and a comment saying where the cookie comes from. */
export interface ErlCommandLine {
  command: string;
  cookieNote: string;
}

const ERL_EPMD_PORT = 4369;

/**
 * `erl -sname bilbo ...` for a node started with `options`. A cookie given as `--cookie` is
 * repeated as `-setcookie` (it is on the command line already); one from `ERLANG_COOKIE`, which
 * erl does not read, is passed as the variable, never printed; a cookie file is the one erl
 * reads too, when run by the same user.
 */
export function erlCommandLine(options: ErlCommandLineOptions): ErlCommandLine {
  const env = options.env ?? process.env;
  const host = options.nodeName.slice(options.nodeName.indexOf('@') + 1);
  const words = ['erl', options.longNames ? `-name bilbo@${host}` : '-sname bilbo'];
  let cookieNote: string;
  if (options.cookie !== undefined) {
    words.push(`-setcookie ${shellQuote(options.cookie)}`);
    cookieNote = 'the cookie given with --cookie';
  } else if (env.ERLANG_COOKIE) {
    words.push('-setcookie "$ERLANG_COOKIE"');
    cookieNote = 'the cookie in ERLANG_COOKIE, which erl itself does not read';
  } else {
    cookieNote = `both read the cookie in ${cookieFile(env)}`;
  }
  if (options.sslDistOptfile !== undefined) words.push(`-proto_dist inet_tls -ssl_dist_optfile ${shellQuote(options.sslDistOptfile)}`);
  if (options.epmdPort !== ERL_EPMD_PORT) words.unshift(`ERL_EPMD_PORT=${options.epmdPort}`);
  return { command: words.join(' '), cookieNote };
}

/** The cookie file erl and we read: `~/.erlang.cookie`, else the XDG one when only it exists. */
function cookieFile(env: NodeJS.ProcessEnv): string {
  const home = path.join(os.homedir(), '.erlang.cookie');
  const xdg = path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'erlang', '.erlang.cookie');
  return !fs.existsSync(home) && fs.existsSync(xdg) ? xdg : home;
}

/** `text` as one word for a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
