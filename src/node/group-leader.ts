/**
 * The group leader this node gives remote processes: an io server for an output device without a
 * terminal, answering the io protocol as erl's `user` does under `-noshell` with no input (OTP
 * 27/29's replies; OTP 25 words some errors differently, but a caller's `io` module turns every
 * error into the same badarg):
 *
 * | request                                      | reply                                           |
 * |----------------------------------------------|-------------------------------------------------|
 * | `{put_chars, Enc, Chars}`, `{put_chars, Chars}` | `ok`, or `{error, {put_chars, Enc, Chars}}` when Chars are not characters in Enc (latin1 bytes are Latin-1 characters; the old form is latin1) |
 * | `{put_chars, Enc, io_lib, format\|fwrite, [Format, Args]}` | `ok`, or `{error, F}` when io_lib raises badarg or the text is not in Enc (the caller's io:format raises badarg) |
 * | `{put_chars, Enc, M, F, A}` for any other M:F | `{error, F}`: nothing from the wire is evaluated |
 * | `{requests, [Request...]}`                   | the first error, or `ok`                         |
 * | `getopts`, `{setopts, Opts}`                 | `[{binary, B}, {encoding, E}]`; `ok` for binary/list/encoding, else `{error, enotsup}` |
 * | `{get_geometry, _}`, `{get_password, _}`     | `{error, enotsup}` (erl's `user` says `error` or `enotsup` to get_geometry; io:columns() makes all three `{error, enotsup}`) |
 * | `get_chars`, `get_line`, `get_until`         | `eof`                                           |
 * | anything else                                | `{error, request}`                              |
 */
import { Atom, atom, Pid, Term, Tuple, tuple } from '../../codec';
import type { ErlProcess } from '../process/process';
import { ERROR, OK } from '../process/atoms';
import { charsOf, isLatin1 } from './io-chars';
import { ioFormat, IoFormatError } from './io-format';

const IO_REQUEST = atom('io_request');
const IO_REPLY = atom('io_reply');
const PUT_CHARS = atom('put_chars');
const REQUESTS = atom('requests');
const ENOTSUP = atom('enotsup');
const REQUEST = atom('request');
const EOF = atom('eof');
const IO_LIB = atom('io_lib');
const FORMAT = atom('format');
const FWRITE = atom('fwrite');
const UNICODE = atom('unicode');
const LATIN1 = atom('latin1');
const UTF8 = atom('utf8');
const BINARY = atom('binary');
const LIST = atom('list');
const ENCODING = atom('encoding');
const INPUT = new Set(['get_chars', 'get_line', 'get_until'].map(atom));
const NOT_SUPPORTED = new Set(['get_geometry', 'get_password'].map(atom));

/** The device's options, as getopts/setopts see them. They change nothing in what is written. */
interface DeviceOptions {
  binary: boolean;
  encoding: Atom;
}

/** How a request's encoding reads its characters; undefined for one that is not an encoding. */
function encodingOf(enc: Term): 'latin1' | 'unicode' | undefined {
  if (enc === LATIN1) return 'latin1';
  if (enc === UNICODE || enc === UTF8) return 'unicode';
  return undefined;
}

function putChars(request: Tuple, write: (text: string) => void): Term {
  const [, ...fields] = request.elements;
  // {put_chars, Chars} is the old form, Latin-1.
  const [enc, chars] = fields.length === 1 ? [LATIN1, fields[0]] : fields;
  const encoding = encodingOf(enc);
  if (fields.length === 4) {
    const [, m, f, a] = fields;
    if (encoding === undefined || m !== IO_LIB || (f !== FORMAT && f !== FWRITE) || !Array.isArray(a) || a.length !== 2) {
      return tuple(ERROR, f);
    }
    let text: string;
    try {
      text = ioFormat(a[0], a[1]);
    } catch (err) {
      if (err instanceof IoFormatError) return tuple(ERROR, f);
      throw err;
    }
    if (encoding === 'latin1' && !isLatin1(text)) return tuple(ERROR, f);
    write(text);
    return OK;
  }
  const text = fields.length <= 2 && encoding !== undefined ? charsOf(chars, encoding) : undefined;
  // erl names the request in its Latin-1 form.
  if (text === undefined) return tuple(ERROR, fields.length === 1 ? tuple(PUT_CHARS, LATIN1, chars) : request);
  write(text);
  return OK;
}

function setopts(opts: Term, options: DeviceOptions): Term {
  if (!Array.isArray(opts)) return tuple(ERROR, ENOTSUP);
  const next = { ...options };
  for (const opt of opts) {
    if (opt === BINARY || opt === LIST) next.binary = opt === BINARY;
    else if (opt instanceof Tuple && opt.length === 2 && opt.get(0) === BINARY && typeof opt.get(1) === 'boolean')
      next.binary = opt.get(1) as boolean;
    else if (opt instanceof Tuple && opt.length === 2 && opt.get(0) === ENCODING && encodingOf(opt.get(1)) !== undefined) {
      next.encoding = opt.get(1) === LATIN1 ? LATIN1 : UNICODE;
    } else return tuple(ERROR, ENOTSUP);
  }
  Object.assign(options, next);
  return OK;
}

/** The reply to one io request, writing what it prints to `write`. */
function serve(request: Term, write: (text: string) => void, options: DeviceOptions): Term {
  if (request === atom('getopts')) return [tuple(BINARY, options.binary), tuple(ENCODING, options.encoding)];
  if (!(request instanceof Tuple) || request.length === 0) return tuple(ERROR, REQUEST);
  const kind = request.get(0);
  if (kind === PUT_CHARS && request.length >= 2) return putChars(request, write);
  if (kind === REQUESTS && request.length === 2 && Array.isArray(request.get(1))) {
    for (const r of request.get(1) as Term[]) {
      const reply = serve(r, write, options);
      if (reply !== OK) return reply;
    }
    return OK;
  }
  if (kind === atom('setopts') && request.length === 2) return setopts(request.get(1), options);
  if (kind instanceof Atom && NOT_SUPPORTED.has(kind)) return tuple(ERROR, ENOTSUP);
  if (kind instanceof Atom && INPUT.has(kind)) return EOF;
  return tuple(ERROR, REQUEST);
}

/** Run `proc` as a group leader: answer every io request it receives. */
export async function runGroupLeader(proc: ErlProcess, write: (text: string) => void): Promise<void> {
  const options: DeviceOptions = { binary: false, encoding: UNICODE };
  for (;;) {
    const m = await proc.receive();
    if (m instanceof Tuple && m.length === 4 && m.get(0) === IO_REQUEST && m.get(1) instanceof Pid) {
      proc.send(m.get(1) as Pid, tuple(IO_REPLY, m.get(2), serve(m.get(3), write, options)));
    }
  }
}
