/**
 * `erlbridge term encode|decode`: convert between Erlang text and the External Term Format.
 *
 *     erlbridge term encode [--hex] [TEXT | -]      the ETF bytes (131 first) of TEXT, or of stdin when TEXT
 *                                                   is - or missing (the kernel caps an argument at 128 KiB),
 *                                                   to stdout, or lowercase hex and a newline
 *     erlbridge term decode [--hex] [--format p|w]  ETF bytes (or hex, white space allowed) from stdin ->
 *                                                   Erlang text (as the erl shell prints it, or one line)
 *                                                   and a newline
 *
 * Exit codes: 0 done, 1 bad input (the one line on stderr says where), 2 usage error.
 */
import { DecodeError, EncodeError } from '../../codec/errors';
import { decode } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { parseTerm, TextParseError } from '../../codec/text';
import { UsageError } from './options';
import { FORMAT_USAGE, printTerm, termFormat } from './term-format';

/** Where the command reads and writes: the process's streams by default, test doubles in tests. */
export interface TermIo {
  stdin: AsyncIterable<Buffer | string>;
  stdout: { write(data: string | Uint8Array): unknown };
  stderr: { write(data: string): unknown };
}

const USAGE = `usage: erlbridge term encode [--hex] [TEXT | -]
       erlbridge term decode [--hex] ${FORMAT_USAGE}`;

const processIo = (): TermIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** Bad input: exit 1 with this one line. */
class InputError extends Error {
  readonly code = 'input';
}

/** The options and the positional arguments. `--` ends the options; `-1` is a term, not an option. */
function parseArgs(args: string[]): { hex: boolean; options: Record<string, string>; positional: string[] } {
  let hex = false;
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--hex') hex = true;
    else if (arg === '--format') {
      if (i + 1 >= args.length) throw new UsageError('option --format needs a value');
      options.format = args[++i];
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  return { hex, options, positional };
}

/**
 * Run `erlbridge term ...` with the arguments after `term`. Resolves to the exit code; never
 * rejects for bad input or usage.
 */
export async function termCommand(args: string[], io: TermIo = processIo()): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === '--help' || sub === '-h' || rest.includes('--help')) {
      io.stdout.write(USAGE + '\n');
      return 0;
    }
    if (sub === 'encode') return await encodeText(rest, io);
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

async function encodeText(args: string[], io: TermIo): Promise<number> {
  const { hex, options, positional } = parseArgs(args);
  if (options.format !== undefined) throw new UsageError('--format is for decode: encode writes bytes');
  if (positional.length > 1) throw new UsageError('encode takes one TEXT (quote the term for the shell)');
  // The text from stdin when there is no argument, or `-`: an argument cannot exceed 128 KiB.
  const text = positional.length === 0 || positional[0] === '-' ? (await readAll(io.stdin)).toString('utf8') : positional[0];
  const bytes = encode(parseTerm(text));
  io.stdout.write(hex ? bytes.toString('hex') + '\n' : bytes);
  return 0;
}

async function decodeInput(args: string[], io: TermIo): Promise<number> {
  const { hex, options, positional } = parseArgs(args);
  const format = termFormat(options);
  if (positional.length > 0) throw new UsageError('decode reads stdin and takes no TEXT');
  const input = await readAll(io.stdin);
  io.stdout.write(printTerm(decode(hex ? fromHex(input.toString('latin1')) : input), format) + '\n');
  return 0;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Hex digits, with any white space between them. */
function fromHex(text: string): Buffer {
  const bad = text.search(/[^0-9a-fA-F\s]/);
  if (bad >= 0) throw new InputError(`not hex: ${JSON.stringify(text[bad])} at byte ${bad}`);
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0) throw new InputError(`not hex: an odd number (${digits.length}) of hex digits`);
  return Buffer.from(digits, 'hex');
}
