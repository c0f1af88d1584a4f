/**
 * erl's `-ssl_dist_optfile`: one Erlang term, `[{server, [Opt...]}, {client, [Opt...]}].`, read
 * as ssl_dist_sup reads it (one expression; `%` comments and white space anywhere). Options are
 * `{Name, Value}` tuples with erl's names; see `SslOptions` for the ones we take.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Atom, charlistToString, isCharlist, parseTerms, Term, TextParseError, Tuple } from '../codec';
import { checkSslDistOptions, SSL_OPTION_KINDS, SslDistOptionError, SslDistOptions, SslOptions, SslSide } from './transport/ssl-options';
import { tlsTransport } from './transport/tls';
import type { DistTransport } from './transport/transport';

/**
 * Read and check an optfile. Relative paths, of the file and inside it, are relative to the
 * working directory, as erl's. Throws {@link SslDistOptionError} naming the file (and the
 * option, when one is to blame).
 */
export function readSslDistOptfile(file: string): SslDistOptions {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new SslDistOptionError('bad_file', `cannot read the ssl_dist_optfile ${resolved}: ${(error as Error).message}`);
  }
  return parseSslDistOptfile(text, resolved);
}

/** {@link readSslDistOptfile} on text; `origin` names it in errors. */
export function parseSslDistOptfile(text: string, origin: string): SslDistOptions {
  let terms: Term[];
  try {
    terms = parseTerms(text);
  } catch (error) {
    if (!(error instanceof TextParseError)) throw error;
    throw new SslDistOptionError('syntax', `${origin}: ${error.message}`);
  }
  const [top] = terms;
  if (terms.length !== 1 || !Array.isArray(top)) {
    throw new SslDistOptionError('syntax', `${origin}: expected one list ending with '.', [{server, [...]}, {client, [...]}].`);
  }
  const result: SslDistOptions = {};
  for (const section of top) {
    const pair = keyValue(section);
    if (!pair || !Array.isArray(pair.value)) {
      throw new SslDistOptionError('syntax', `${origin}: expected {server, [...]} or {client, [...]}, found ${describe(section)}`);
    }
    if (pair.key !== 'server' && pair.key !== 'client') {
      throw new SslDistOptionError('unknown_option', `${origin}: unknown section ${pair.key} (expected server and client)`, pair.key);
    }
    result[pair.key] = sideOptions(pair.key, pair.value, origin);
  }
  checkSslDistOptions(result, origin);
  return result;
}

/** `tlsTransport` configured from an optfile: what erl's `-proto_dist inet_tls -ssl_dist_optfile FILE` sets up. */
export function tlsTransportFromOptfile(file: string): DistTransport {
  return tlsTransport(readSslDistOptfile(file), { origin: path.resolve(file) });
}

function sideOptions(side: SslSide, items: Term[], origin: string): SslOptions {
  const options: Record<string, unknown> = {};
  for (const item of items) {
    const pair = keyValue(item);
    if (!pair) throw new SslDistOptionError('syntax', `${origin}: ${side} options must be {Name, Value} tuples, found ${describe(item)}`);
    const spec = SSL_OPTION_KINDS[pair.key as keyof SslOptions] as { kind: string } | undefined;
    // Unknown names stay as they are, for checkSslDistOptions to refuse by name.
    options[pair.key] = spec ? toValue(spec.kind, pair.value) : pair.value;
  }
  return options;
}

function keyValue(term: Term): { key: string; value: Term } | null {
  if (!(term instanceof Tuple) || term.length !== 2) return null;
  const key = term.get(0);
  return key instanceof Atom ? { key: key.name, value: term.get(1) } : null;
}

// Erlang values as SslOptions holds them: charlists and binaries as strings, atoms by name.
// A value of the wrong shape is passed on as it is; the check then names the option.
function toValue(kind: string, value: Term): unknown {
  switch (kind) {
    case 'string':
      return text(value) ?? value;
    case 'sni':
      return value instanceof Atom ? value.name : (text(value) ?? value);
    case 'verify':
      return value instanceof Atom ? value.name : value;
    case 'versions':
      return Array.isArray(value) ? value.map((v) => (v instanceof Atom ? v.name : v)) : value;
    case 'ciphers':
      if (Array.isArray(value) && value.length > 0 && value.every((v) => text(v) !== null && typeof v !== 'number')) {
        return value.map((v) => text(v));
      }
      return text(value) ?? value;
    default:
      return value;
  }
}

/** A charlist or a binary as a string; null for anything else. */
function text(value: Term): string | null {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  // Only code points are text: a list holding any other number is a wrong value, not a crash.
  if (isCharlist(value) && value.length > 0) return charlistToString(value);
  return null;
}

function describe(term: Term): string {
  if (term instanceof Atom) return term.name;
  if (term instanceof Tuple) return `a ${term.length}-tuple`;
  return Array.isArray(term) ? 'a list' : typeof term;
}
