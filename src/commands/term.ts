/**
 * `erlbridge term encode|decode`: convert between Erlang text and the External Term Format.
 */

/** Run `erlbridge term ...` with the arguments after `term`. Resolves to the exit code. */
export async function termCommand(args: string[]): Promise<number> {
  process.stderr.write(`erlbridge term: not implemented yet (${args.join(' ')})\n`);
  return 1;
}
