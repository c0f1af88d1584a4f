/**
 * Enough of `io_lib:format/2` to print what remote processes send through our group leader:
 * `~n ~~ ~s ~w ~p ~b ~c ~i` (and their `t` forms). Other directives print the argument as `~w`.
 */
import { Atom, charlistToString, ErlFloat, isCharlist, Term } from '../../codec';
import { formatTerm } from '../../codec/text';

function text(arg: Term): string {
  if (Buffer.isBuffer(arg)) return arg.toString('utf8');
  if (arg instanceof Atom) return arg.name;
  if (isCharlist(arg)) return charlistToString(arg);
  // Deep iolists: flatten what is printable.
  if (Array.isArray(arg)) return arg.map((x) => (typeof x === 'number' ? String.fromCodePoint(x) : text(x))).join('');
  return formatTerm(arg, { unicode: true });
}

/** Format `format` with `args` as io_lib does for the supported directives. */
export function ioFormat(format: string, args: Term[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '~') {
      out += ch;
      continue;
    }
    // Skip field width, precision, padding and the t/l modifiers: ~-10.3.xts -> s.
    let j = i + 1;
    while (j < format.length && /[-0-9.*tl]/.test(format[j])) j++;
    const directive = format[j] ?? '';
    i = j;
    if (directive === 'n') out += '\n';
    else if (directive === '~') out += '~';
    else if (directive === 'i') next++;
    else {
      const arg = args[next++];
      if (arg === undefined) break;
      if (directive === 's') out += text(arg);
      else if (directive === 'c' && typeof arg === 'number') out += String.fromCodePoint(arg);
      else if (directive === 'b' && (typeof arg === 'number' || typeof arg === 'bigint')) out += arg.toString();
      else if ((directive === 'f' || directive === 'g' || directive === 'e') && arg instanceof ErlFloat) out += String(arg.value);
      else out += formatTerm(arg, { unicode: true });
    }
  }
  return out;
}
