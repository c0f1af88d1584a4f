/**
 * The node's built-in registered servers: names such as `net_kernel` and `rex` (and, as erl has
 * them, `global_name_server` and pg scopes) that answer messages without a TypeScript process of
 * the program's. One registry: a REG_SEND, a local send to the name and a MONITOR_P on it all
 * find the server here.
 */
import { Atom, atom, Pid, Term } from '../../codec';

/** A built-in server: takes each message sent to its name. */
export type BuiltinServer = (message: Term, from: Pid | undefined) => void;

export class Builtins {
  private readonly servers = new Map<Atom, BuiltinServer>();

  /** Serve `name`; throws when another built-in has it. */
  register(name: string | Atom, server: BuiltinServer): void {
    const key = typeof name === 'string' ? atom(name) : name;
    if (this.servers.has(key)) throw new Error(`the built-in server ${key.name} is registered already`);
    this.servers.set(key, server);
  }

  /** True when `name` is a built-in server (monitors on it never fire: it never exits). */
  has(name: Atom): boolean {
    return this.servers.has(name);
  }

  /** Deliver a message sent to `name`; false when no built-in has that name. */
  deliver(name: Atom, message: Term, from?: Pid): boolean {
    const server = this.servers.get(name);
    if (server === undefined) return false;
    server(message, from);
    return true;
  }

  /** The names served. */
  names(): Atom[] {
    return [...this.servers.keys()];
  }
}
