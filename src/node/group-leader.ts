/**
 * A group leader for remote processes that do I/O through this node (the io protocol): output
 * requests are written out and answered `ok`, input requests get `{error, enotsup}`, so that a
 * process printing through us never waits forever.
 */
import { atom, charlistToString, isCharlist, Pid, Term, Tuple, tuple } from '../../codec';
import { ioFormat } from './io-format';
import type { ErlProcess } from '../process/process';
import { ERROR, OK } from '../process/atoms';

const IO_REQUEST = atom('io_request');
const IO_REPLY = atom('io_reply');
const PUT_CHARS = atom('put_chars');
const REQUESTS = atom('requests');
const ENOTSUP = atom('enotsup');
const IO_LIB = atom('io_lib');
const FORMAT = atom('format');

/** The text of a put_chars request when it carries the characters themselves. */
function chars(data: Term): string | undefined {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data) && data.every((c) => typeof c === 'number')) return String.fromCodePoint(...data);
  return undefined;
}

/** The reply to one io request, writing what it prints to `write`. */
function serve(request: Term, write: (text: string) => void): Term {
  if (!(request instanceof Tuple)) return tuple(ERROR, ENOTSUP);
  const [kind] = request.elements;
  if (kind === PUT_CHARS) {
    // {put_chars, Chars} | {put_chars, Encoding, Chars} | {put_chars, Encoding, io_lib, format, [Fmt, Args]}.
    if (request.length === 5 && request.get(2) === IO_LIB && request.get(3) === FORMAT) {
      const [fmt, args] = request.get(4) as Term[];
      const format = Buffer.isBuffer(fmt) ? fmt.toString('utf8') : isCharlist(fmt) ? charlistToString(fmt) : undefined;
      if (format !== undefined && Array.isArray(args)) write(ioFormat(format, args));
      return OK;
    }
    const text = chars(request.get(request.length === 2 ? 1 : 2));
    if (text !== undefined) write(text);
    return OK;
  }
  if (kind === REQUESTS && Array.isArray(request.get(1))) {
    for (const r of request.get(1) as Term[]) serve(r, write);
    return OK;
  }
  return tuple(ERROR, ENOTSUP);
}

/** Run `proc` as a group leader: answer every io request it receives. */
export async function runGroupLeader(proc: ErlProcess, write: (text: string) => void): Promise<void> {
  for (;;) {
    const m = await proc.receive();
    if (m instanceof Tuple && m.length === 4 && m.get(0) === IO_REQUEST && m.get(1) instanceof Pid) {
      proc.send(m.get(1) as Pid, tuple(IO_REPLY, m.get(2), serve(m.get(3), write)));
    }
  }
}
