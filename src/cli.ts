/**
 * The `erlbridge` command line: one file per command under `commands/`, dispatched here.
 * Errors are one clear line on stderr and a non-zero exit.
 */
import { epmdCommand } from './commands/epmd';
import { namesCommand } from './commands/names';
import { nodeCommand } from './commands/node';
import { UsageError } from './commands/options';
import { pingCommand } from './commands/ping';
import { termCommand } from './commands/term';
import { chanCommand } from './commands/chan';
import { callCommand } from './commands/call';
import { packageVersion } from './commands/version';

/** A command gets its arguments (after its name) and returns the process exit code. */
export type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  node: nodeCommand,
  ping: pingCommand,
  names: namesCommand,
  epmd: epmdCommand,
  term: termCommand,
  chan: chanCommand,
  call: callCommand,
};

// The commands that connect over distribution show it in their own --help too.
const TLS_COMMANDS = ['node', 'ping', 'call'];
const tlsUsage = `TLS distribution, for node, ping and call: --proto-dist inet_tls --ssl-dist-optfile FILE (erl's
  -proto_dist inet_tls -ssl_dist_optfile FILE: its optfile; EPMD stays plain TCP). --proto-dist
  inet_tcp is the default.`;

const usage = `usage: erlbridge <command> [options]     (erlbridge --version; erlbridge <command> --help)
commands:
  node [--sname N | --name N@HOST] [--cookie C] [--epmd-port P] [--hidden | --visible]
       [--serve [NAME=]FILE]... [--global NAME] [--pg GROUP] [--connect-all BOOL]
       [--prevent-overlapping-partitions BOOL]
                               start a node; runs until SIGINT/SIGTERM, and prints the erl command
                               line that reaches it. Visible by default, as erl is; --hidden makes
                               it hidden and wins over --visible. --serve serves a JS or TS file's
                               exported functions as Erlang module NAME (default: the file's name
                               without extension); repeatable. --global registers its kvs process
                               under global name NAME, --pg joins it to pg group GROUP (scope pg);
                               --connect-all false stops global meshing the cluster, and
                               --prevent-overlapping-partitions false turns that off
       [--net-ticktime S] [--dist-port P | --dist-port-range MIN-MAX] [--dist-listen-address IP]
                               erl's net_ticktime (seconds), inet_dist_listen_min/max (the ports
                               a firewall must open, with EPMD's 4369) and inet_dist_use_interface
       [--shutdown-time MS]    on SIGTERM/SIGINT: leaves EPMD, refuses new calls, lets calls in
                               flight finish for up to MS (default 5000), then disconnects and
                               exits 0; a second signal ends it at once
       [--atom-limit N]        the most atoms alive at once (default 2,097,152; erl's +t sizes its
                               table): input from a peer that would pass it closes that connection
       [--log-level LEVEL] [--log-format text|json]
                               the log on stderr: erl logger's levels (emergency ... debug, none,
                               all; default notice), written as erl writes it or one JSON object
                               per line
                               erl's spellings work too: -sname N, -name N, -setcookie C, -hidden,
                               -connect_all false, -shutdown_time MS, -proto_dist,
                               -ssl_dist_optfile, -kernel net_ticktime S, -kernel
                               inet_dist_listen_min P (and _max), -kernel inet_dist_use_interface
                               '{127,0,0,1}', -kernel prevent_overlapping_partitions false, -kernel
                               logger_level L; other erl flags are errors
  ping NODE [--cookie C] [--epmd-port P] [--sname N | --name N]
                               pong (exit 0), or pang (exit 1) and why on stderr: no EPMD, name
                               not registered, cookies differ, unknown host, timed out. Connects
                               as erl_call does: hidden, not listening, registering nothing in
                               EPMD and starting none. -setcookie, -sname, -name work too
  call NODE MOD FUN ARGS [--cookie C] [--epmd-port P] [--timeout MS] [--sname N | --name N]
       [--format p|w]
                               rpc:call; ARGS is an Erlang list ('[weather]'); prints the result as
                               the erl shell does (p, ~tp) or on one line (w, lossless); a badrpc
                               is a result (exit 0), a node not reached is why on stderr (exit 1).
                               --timeout bounds the call and each step of connecting
  names [--host H] [--epmd-port P]
                               the names registered in EPMD (asks only: starts no EPMD)
  epmd [--port P]              run the embedded EPMD in the foreground
  term encode [--hex] [TEXT | -]
                               write the external term format bytes (or hex) of TEXT, or of stdin
                               when TEXT is - or missing (for terms over the 128 KiB an argument
                               may hold)
  term decode [--hex] [--format p|w]
                               read ETF bytes (or hex) from stdin, print the term as Erlang text
  chan serve CONFIG [--host H] [--tls-cert F --tls-key F]
                               serve the book's lib_chan from its config file (127.0.0.1 by default)
  chan rpc HOST PORT SERVICE SECRET TERM [--timeout MS] [--tls-ca F] [--format p|w]
                               lib_chan client (SECRET none: no password); prints the reply
${tlsUsage}
A closed stdout (| head) ends any command quietly, exit 0.`;

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`erlbridge ${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined) {
    process.stderr.write(usage + '\n');
    return 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`erlbridge: unknown command '${name}'\n${usage}\n`);
    return 2;
  }
  // term answers --help itself; for the others it is their lines of the usage.
  if (name !== 'term' && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`usage: ${commandUsage(name)}\n`);
    return 0;
  }
  try {
    return await command(rest);
  } catch (err) {
    process.stderr.write(`erlbridge ${name}: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/**
 * End the process quietly, with exit 0, when the reader of stdout or stderr has gone
 * (`erlbridge term decode | head -c1`): EPIPE means nobody wants the rest.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(0);
    });
  }
}

/** The lines of {@link usage} about one command: its own, and the indented ones under them. */
function commandUsage(name: string): string {
  const lines = usage.split('\n');
  const picked: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith(`  ${name} `)) continue;
    picked.push(`${picked.length > 0 ? '       ' : ''}erlbridge ${lines[i].trim()}`);
    while (i + 1 < lines.length && lines[i + 1].startsWith(' '.repeat(4))) picked.push(lines[++i]);
  }
  if (TLS_COMMANDS.includes(name)) picked.push(tlsUsage);
  return picked.join('\n');
}
