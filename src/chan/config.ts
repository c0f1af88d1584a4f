/**
 * The book's lib_chan config file, read unchanged: `file:consult` terms, exactly one
 * `{port, N}.` and any number of `{service, Name, password, Pwd | none, mfa, Mod, Fun, Args}.`
 */
import * as fs from 'node:fs';
import { Atom, Term, Tuple, charlistToString, isCharlist } from '../../codec';
import { formatTerm, parseTerms } from '../../codec/text';
import { ChanConfigError } from './errors';
import { isLatin1 } from './auth';

/** One `{service, ...}` line of the config. */
export interface ChanServiceConfig {
  /** The service name clients ask for in `{startService, Name, ArgsC}`. */
  name: string;
  /** The password, or `null` for the atom `none` (no challenge). */
  password: string | null;
  /** The module: the name a TypeScript service is registered under. */
  module: string;
  /** The function the book would call; kept for the record, a TypeScript service has one entry point. */
  function: string;
  /** The config's `Args`, passed to the service's `start` as `configArgs`. */
  args: Term;
}

/** A whole config file. */
export interface ChanConfig {
  /** `{port, N}`; 0 means any free port. */
  port: number;
  /** In file order; the first service with a name wins, as in the book. */
  services: ChanServiceConfig[];
}

function atomName(term: Term): string | undefined {
  return term instanceof Atom ? term.name : undefined;
}

function readService(term: Tuple, bad: (why: string) => ChanConfigError): ChanServiceConfig {
  const [, name, passwordKey, password, mfaKey, module, fun, args] = term.elements;
  if (atomName(passwordKey) !== 'password' || atomName(mfaKey) !== 'mfa') {
    throw bad('expected {service, Name, password, Pwd, mfa, Mod, Fun, Args}');
  }
  const names = [atomName(name), atomName(module), atomName(fun)];
  if (names.some((n) => n === undefined)) throw bad('Name, Mod and Fun must be atoms');
  let secret: string | null;
  if (atomName(password) === 'none') secret = null;
  else if (isCharlist(password) && isLatin1(charlistToString(password))) secret = charlistToString(password);
  else throw bad('the password must be a string of Latin-1 characters or the atom none');
  return { name: names[0] as string, password: secret, module: names[1] as string, function: names[2] as string, args };
}

/** Parse config text; `source` names it in errors. Throws {@link ChanConfigError}. */
export function parseChanConfig(text: string, source = 'lib_chan config'): ChanConfig {
  let terms: Term[];
  try {
    terms = parseTerms(text);
  } catch (error) {
    throw new ChanConfigError(`${source}: not Erlang terms: ${(error as Error).message}`);
  }
  const ports: number[] = [];
  const services: ChanServiceConfig[] = [];
  for (const term of terms) {
    const bad = (why: string) => new ChanConfigError(`${source}: bad term ${formatTerm(term)}: ${why}`);
    const tag = term instanceof Tuple ? atomName(term.elements[0]) : undefined;
    if (tag === 'port' && (term as Tuple).length === 2) {
      const port = (term as Tuple).elements[1];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw bad('the port must be an integer 0..65535');
      }
      ports.push(port);
    } else if (tag === 'service' && (term as Tuple).length === 8) {
      services.push(readService(term as Tuple, bad));
    } else {
      throw bad('expected {port, N} or {service, Name, password, Pwd, mfa, Mod, Fun, Args}');
    }
  }
  if (ports.length !== 1) {
    throw new ChanConfigError(`${source}: needs exactly one {port, N}, found ${ports.length}`);
  }
  return { port: ports[0], services };
}

/** Read and parse a config file. Throws {@link ChanConfigError}, also when the file cannot be read. */
export function readChanConfig(file: string): ChanConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ChanConfigError(`cannot read lib_chan config ${file}: ${(error as Error).message}`);
  }
  return parseChanConfig(text, file);
}
