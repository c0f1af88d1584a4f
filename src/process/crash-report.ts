/**
 * The reports erl's logger gives when a process ends badly, built as log events: the emulator's
 * "Error in process ..." for a process that dies of an error or a throw (an exit is not reported,
 * as BEAM reports none), gen_server's "Generic server ... terminating", and one of our own for a
 * served function that threw a JavaScript error, whose JavaScript stack is what its author needs.
 * Terms are cut ({@link reportTerm}) and JavaScript stacks too, so no report floods the log.
 */
import { Atom, atom, charlist, map, Pid, Term, tuple } from '../../codec';
import { isErlangException } from './exceptions';
import { LogEvent, logTimestamp } from './log-event';
import { Logger } from './logger';
import { exitReason, Outcome } from './outcome';
import { pidText, reportField, reportTerm } from './report-term';

/** How many lines of a JavaScript stack (after its first, the message) a report keeps. */
export const REPORT_STACK_LINES = 12;

const LOG = atom('log');
const ERROR = atom('error');
const ERROR_LOGGER = atom('error_logger');
const EMULATOR = atom('emulator');
const TAG = atom('tag');
const GL = atom('gl');
const PID = atom('pid');
const TIME = atom('time');
const TRUE = atom('true');

/** A process that can end, as processes of the node and of spawn requests are. */
export interface EndingProcess extends ReportedProcess {
  readonly alive: boolean;
  exit(reason?: Term): void;
}

/**
 * End `proc` (of `node`) as its body's `outcome` says, with `reason` (by default BEAM's for that outcome), and
 * report an error or a throw as BEAM does. A process already ended (killed while its body waited)
 * has nothing left to report.
 */
export function exitReported(
  proc: EndingProcess,
  logger: Logger,
  node: string,
  outcome: Outcome,
  thrown?: unknown,
  reason = exitReason(outcome),
): void {
  if (!proc.alive) return;
  if (reportsCrash(outcome)) logger.emit(processErrorEvent(proc, node, reason, thrown));
  proc.exit(reason);
}

/** BEAM reports a process that ends in an error or a throw, not one that exits. */
export function reportsCrash(outcome: Outcome): boolean {
  return outcome.kind === 'error' || outcome.kind === 'throw';
}

/**
 * The JavaScript stack of a thrown JavaScript error (a TypeError, say), cut to
 * {@link REPORT_STACK_LINES} frames; [] for anything else. An Erlang exception (`ErlangError`, ...)
 * was raised on purpose, and its reason says what erl would say, so its stack is left out.
 */
export function jsStackLines(err: unknown): string[] {
  if (!(err instanceof Error) || err.stack === undefined || isErlangException(err)) return [];
  const frames = err.stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  return frames.length > REPORT_STACK_LINES
    ? [...frames.slice(0, REPORT_STACK_LINES), `... ${frames.length - REPORT_STACK_LINES} more`]
    : frames;
}

/** Lines naming where a JavaScript error came from, for the text of a report ('' when there is none). */
function jsStackText(err: unknown, prefix: string): string {
  const lines = jsStackLines(err);
  if (lines.length === 0) return '';
  return `\n${prefix}JavaScript: ${err instanceof Error ? `${err.name}: ${err.message}` : ''}\n${lines.map((l) => `${prefix}  ${l}`).join('\n')}`;
}

/** The process a report is about. */
export interface ReportedProcess {
  readonly pid: Pid;
  readonly registeredName: Atom | undefined;
  readonly groupLeader: Pid | undefined;
}

/**
 * The emulator's report of a process that died of an error (or a throw): "Error in process <0.85.0>
 * on node ts@vm with exit value:" and the reason. erl sends the same event to the `logger` of the
 * group leader's node as `{log, error, Format, [Pid, Node, Reason], Meta}`; so is this one.
 */
export function processErrorEvent(proc: ReportedProcess, node: string, reason: Term, thrown?: unknown): LogEvent {
  const time = logTimestamp();
  const text = `Error in process ${pidText(proc.pid, node)} on node ${reportTerm(atom(node))} with exit value:\n${reportTerm(reason)}`;
  const event: LogEvent = {
    level: 'error',
    time,
    text: text + jsStackText(thrown, ''),
    pid: proc.pid,
    registeredName: proc.registeredName,
    fields: { label: 'process_error', exit_value: reportField(reason), js_stack: jsStackLines(thrown) },
  };
  const gl = proc.groupLeader;
  if (gl !== undefined) {
    const meta = map([
      [
        ERROR_LOGGER,
        map([
          [EMULATOR, TRUE],
          [TAG, ERROR],
        ]),
      ],
      [GL, gl],
      [PID, proc.pid],
      [TIME, time],
    ]);
    const format = charlist('Error in process ~p on node ~p with exit value:~n~p~n');
    event.remote = { gl, message: tuple(LOG, ERROR, format, [proc.pid, atom(node), reason], meta) };
  }
  return event;
}

/** Who called a gen_server that crashed handling the call. */
export interface GenServerClient {
  pid: Pid;
}

/** What gen_server reports when it terminates abnormally. */
export interface GenServerCrash {
  proc: ReportedProcess;
  /** The registered name, else the pid: what erl's report names the server by. */
  name: Term;
  lastMessage: Term | undefined;
  state: Term;
  reason: Term;
  client?: GenServerClient;
  /** What the callback threw, for its JavaScript stack. */
  thrown?: unknown;
}

/**
 * The client lines of gen_server's report: a caller on another node is "remote"; a caller here
 * is a TypeScript process, which has no Erlang stack to show (erl shows its caller's stacktrace).
 */
function clientText(client: GenServerClient | undefined, node: string): string {
  if (client === undefined) return '';
  const who = pidText(client.pid, node);
  if (client.pid.node.name !== node) return `\n** Client ${who} is remote on node ${reportTerm(client.pid.node)}`;
  return `\n** Client ${who} stacktrace\n** []`;
}

/**
 * gen_server's report of a server that terminates with a reason other than `normal`, `shutdown`
 * or `{shutdown, _}`: "** Generic server Name terminating", the last message, the state, the
 * reason, and the client of a call; then the JavaScript stack when a callback threw a JavaScript error.
 */
export function genServerCrashEvent(crash: GenServerCrash, node: string): LogEvent {
  const name = crash.name instanceof Pid ? pidText(crash.name, node) : reportTerm(crash.name);
  const last = crash.lastMessage === undefined ? 'undefined' : reportTerm(crash.lastMessage);
  const text =
    `** Generic server ${name} terminating \n` +
    `** Last message in was ${last}\n` +
    `** When Server state == ${reportTerm(crash.state)}\n` +
    `** Reason for termination ==\n` +
    `** ${reportTerm(crash.reason)}` +
    clientText(crash.client, node) +
    jsStackText(crash.thrown, '** ');
  const fields = {
    label: 'gen_server_terminate',
    name,
    last_message: crash.lastMessage === undefined ? 'undefined' : reportField(crash.lastMessage),
    state: reportField(crash.state),
    reason: reportField(crash.reason),
    js_stack: jsStackLines(crash.thrown),
  };
  // A TypeScript server's group leader is this node's, so unlike processErrorEvent nothing goes to erl.
  return { level: 'error', time: logTimestamp(), text, pid: crash.proc.pid, registeredName: crash.proc.registeredName, fields };
}

/** A served function and its call, for {@link servedErrorEvent}. */
export interface ServedCall {
  module: Atom;
  function: Atom;
  args: Term[];
  /** The caller's process (rpc's worker), if known. */
  pid?: Pid;
}

/**
 * A served function threw a JavaScript error (not an Erlang exception): the caller gets
 * `{js_error, ...}`, and the TypeScript developer needs the stack, so it is logged here, with the
 * function and its arguments. erl's caller catches the error itself, so this stays on this node.
 */
export function servedErrorEvent(call: ServedCall, thrown: unknown): LogEvent {
  const mfa = `${reportTerm(call.module)}:${reportTerm(call.function)}/${call.args.length}`;
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  const stack = jsStackLines(thrown);
  const text = `Served function ${mfa} threw a JavaScript error\n** Arguments == ${reportTerm(call.args)}\n** ${what}${stack.map((l) => `\n**   ${l}`).join('')}`;
  return {
    level: 'error',
    time: logTimestamp(),
    text,
    pid: call.pid,
    fields: { label: 'served_function_error', mfa, args: reportField(call.args), error: what, js_stack: stack },
  };
}

/**
 * A process killed because its mailbox passed its limit (see `MailboxLimits.maxLen`), reported as
 * BEAM reports a process killed for passing `max_heap_size`: an error report naming the process,
 * the context, the limit and the length it reached.
 */
export function mailboxLimitEvent(proc: ReportedProcess, node: string, maxLen: number, len: number): LogEvent {
  const text =
    `     Process:            ${pidText(proc.pid, node)} on node ${reportTerm(atom(node))}\n` +
    `     Context:            maximum message queue length reached\n` +
    `     Max Queue Len:      ${maxLen}\n` +
    `     Message Queue Len:  ${len}\n` +
    `     Kill:               true`;
  return {
    level: 'error',
    time: logTimestamp(),
    text,
    pid: proc.pid,
    registeredName: proc.registeredName,
    fields: { label: 'mailbox_limit', max_queue_len: maxLen, message_queue_len: len },
  };
}
