/**
 * `erlbridge term encode|decode`: convert between Erlang text and the External Term Format.
 *
 *     erlbridge term encode [--hex] TEXT   TEXT's ETF bytes (131 first) to stdout, or lowercase hex and a newline
 *     erlbridge term decode [--hex]        ETF bytes (or hex, white space allowed) from stdin -> Erlang text and a newline
 *
 * Exit codes: 0 done, 1 bad input (the one line on stderr says where), 2 usage error.
 */
import { DecodeError, EncodeError } from '../../codec/errors';
import { decode } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { formatTerm, parseTerm, TextParseError } from '../../codec/text';
import { UsageError } from './options';

/** Where the command reads and writes: the process's streams by default, test doubles in tests. */
export interface TermIo {
  stdin: AsyncIterable<Buffer | string>;
  stdout: { write(data: string | Uint8Array): unknown };
  stderr: { write(data: string): unknown };
}

const USAGE = 'usage: erlbridge term encode [--hex] TEXT | erlbridge term decode [--hex]';

const processIo = (): TermIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** Bad input: exit 1 with this one line. */
class InputError extends Error {
  readonly code = 'input';
}

/** The `--hex` flag and the positional arguments. `--` ends the options; `-1` is a term, not an option. */
function parseArgs(args: string[]): { hex: boolean; positional: string[] } {
  let hex = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--hex') hex = true;
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  return { hex, positional };
}

/**
 * Run `erlbridge term ...` with the arguments after `term`. Resolves to the exit code; never
 * rejects for bad input or usage.
 */
export async function termCommand(args: string[], io: TermIo = processIo()): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === '--help' || sub === '-h') {
      io.stdout.write(USAGE + '\n');
      return 0;
    }
    if (sub === 'encode') return encodeText(rest, io);
    if (sub === 'decode') return await decodeInput(rest, io);
    throw new UsageError(sub === undefined ? 'missing encode or decode' : `unknown subcommand '${sub}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`erlbridge term: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof TextParseError || e instanceof DecodeError || e instanceof EncodeError) {
      io.stderr.write(`erlbridge term ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function encodeText(args: string[], io: TermIo): number {
  const { hex, positional } = parseArgs(args);
  if (positional.length !== 1) {
    throw new UsageError(positional.length === 0 ? 'encode needs TEXT' : 'encode takes one TEXT (quote the term for the shell)');
  }
  const bytes = encode(parseTerm(positional[0]));
  io.stdout.write(hex ? bytes.toString('hex') + '\n' : bytes);
  return 0;
}

async function decodeInput(args: string[], io: TermIo): Promise<number> {
  const { hex, positional } = parseArgs(args);
  if (positional.length > 0) throw new UsageError('decode reads stdin and takes no TEXT');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const input = Buffer.concat(chunks);
  io.stdout.write(formatTerm(decode(hex ? fromHex(input.toString('latin1')) : input)) + '\n');
  return 0;
}

/** Hex digits, with any white space between them. */
function fromHex(text: string): Buffer {
  const bad = text.search(/[^0-9a-fA-F\s]/);
  if (bad >= 0) throw new InputError(`not hex: ${JSON.stringify(text[bad])} at byte ${bad}`);
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0) throw new InputError(`not hex: an odd number (${digits.length}) of hex digits`);
  return Buffer.from(digits, 'hex');
}
