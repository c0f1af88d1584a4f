/** A small `--name value` / `--flag` parser shared by the commands. */
export interface ParsedArgs {
  options: Record<string, string | true>;
  positional: string[];
}

/**
 * Parse `args`; `flags` are the options that take no value. Unknown options are errors.
 * `erlSpellings` maps erl's own spellings (`-hidden`) to the option they stand for (`hidden`);
 * a command that takes them says of any other erl-like flag (`-pa`) that erlbridge lacks it.
 */
export function parseArgs(args: string[], valued: string[], flags: string[] = [], erlSpellings: Record<string, string> = {}): ParsedArgs {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  const erlFlags = Object.keys(erlSpellings);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const spelled = Object.hasOwn(erlSpellings, a) ? erlSpellings[a] : undefined;
    if (spelled === undefined && erlFlags.length > 0 && /^-[a-z][a-z_]*$/.test(a)) {
      throw new UsageError(`erl's ${a} is not supported by erlbridge (of erl's flags it takes ${erlFlags.join(', ')})`);
    }
    if (spelled === undefined && (!a.startsWith('--') || a === '--')) {
      positional.push(a);
      continue;
    }
    const name = spelled ?? a.slice(2);
    if (flags.includes(name)) options[name] = true;
    else if (valued.includes(name)) {
      if (i + 1 >= args.length) throw new UsageError(`option --${name} needs a value`);
      options[name] = args[++i];
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { options, positional };
}

/** Take every `option VALUE` pair out of `args` (for an option given more than once): the values, and the rest. */
export function takeRepeated(args: string[], option: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== option) rest.push(args[i]);
    else if (i + 1 >= args.length) throw new UsageError(`option ${option} needs a value`);
    else values.push(args[++i]);
  }
  return { values, rest };
}

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
}

/** The value of a numeric option, or undefined. */
export function numberOption(options: Record<string, string | true>, name: string): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number`);
  return n;
}

/**
 * The value of an option that takes a whole number of `unit` (e.g. `'seconds'`), at least `min`,
 * or undefined when it is not given.
 */
export function wholeNumberOption(options: Record<string, string | true>, name: string, unit: string, min: number): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} takes a whole number of ${unit}, at least ${min}, not ${String(v)}`);
  }
  return n;
}

/** The value of a `true`/`false` option, or undefined. */
export function booleanOption(options: Record<string, string | true>, name: string): boolean | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new UsageError(`option --${name} takes true or false, not ${String(v)}`);
}
