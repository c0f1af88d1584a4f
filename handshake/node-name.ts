import * as dns from 'dns';
import * as net from 'net';
import * as os from 'os';

/** `-sname` (host without dots) or `-name` (host with a dot, or an IP address). */
export type NameMode = 'short' | 'long';

/** A node name split into its two parts: `alive@host`. */
export interface NodeName {
  /** The part before `@`: what EPMD registers. */
  readonly alive: string;
  readonly host: string;
  /** `alive@host`, the node's atom text. */
  readonly full: string;
}

/** Which of Erlang's node name rules a name breaks, as a stable machine-readable code. */
export type NodeNameErrorCode = 'malformed' | 'too_long' | 'bad_characters' | 'bad_host' | 'no_long_host';

/** A node name that breaks Erlang's rules. */
export class NodeNameError extends Error {
  override readonly name = 'NodeNameError';

  constructor(
    readonly code: NodeNameErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// Atoms hold at most 255 characters; a longer node name cannot exist in erl.
const MAX_ATOM_CHARACTERS = 255;
// net_kernel's rule for the part before `@` of our own name.
const ALIVE_PATTERN = /^[0-9A-Za-z_-]+$/;

/**
 * Parse `alive@host`: exactly one `@` and both parts non-empty (dist_util's `is_name_ok`, which
 * is what an acceptor checks on an incoming name).
 */
export function parseNodeName(text: string): NodeName {
  const parts = text.split('@');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new NodeNameError('malformed', `node name ${JSON.stringify(text)} must be name@host with exactly one @`);
  }
  if ([...text].length > MAX_ATOM_CHARACTERS) {
    throw new NodeNameError('too_long', `node name is longer than ${MAX_ATOM_CHARACTERS} characters`);
  }
  return { alive: parts[0], host: parts[1], full: text };
}

/** True when `text` is acceptable as a peer's node name in a handshake. */
export function isValidNodeName(text: string): boolean {
  try {
    parseNodeName(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Check a name for use as our own node name under `mode`, as erl does at start-up: the alive
 * part is letters, digits, `_` and `-`; a short name's host has no dot; a long name's host has a
 * dot or is an IP address.
 */
export function checkOwnNodeName(name: NodeName, mode: NameMode): void {
  if (!ALIVE_PATTERN.test(name.alive)) {
    throw new NodeNameError('bad_characters', `node name part ${JSON.stringify(name.alive)} may only hold letters, digits, _ and -`);
  }
  if (mode === 'short' && name.host.includes('.')) {
    throw new NodeNameError('bad_host', `host ${name.host} has dots; a short name (-sname) needs a host without dots`);
  }
  if (mode === 'long' && nameModeOf(name.host) === 'short') {
    throw new NodeNameError('bad_host', `host ${name.host} has no dot; a long name (-name) needs a dotted host or an IP address`);
  }
}

/** The name mode a host belongs to: a dotted host or an IP address is a long name's. */
export function nameModeOf(host: string): NameMode {
  return host.includes('.') || net.isIP(host) !== 0 ? 'long' : 'short';
}

/**
 * Refuse to dial `peer` when its host does not fit our names, as erl's `splitnode` does before
 * it connects: a short-named node cannot reach a dotted host, a long-named one an undotted name.
 */
export function checkPeerHost(peer: NodeName, ourMode: NameMode): void {
  if (ourMode === 'long' && nameModeOf(peer.host) === 'short') {
    throw new NodeNameError(
      'bad_host',
      `${peer.full} is a short name, and this node runs with long names (-name): erl says "System running to use fully qualified hostnames; Hostname ${peer.host} is illegal". Give the peer's long name (name@host.domain or name@IP), or run this node with a short name (--sname)`,
    );
  }
  if (ourMode === 'short' && peer.host.includes('.')) {
    throw new NodeNameError(
      'bad_host',
      `${peer.full} is a long name, and this node runs with short names (-sname): erl says "System NOT running to use fully qualified hostnames; Hostname ${peer.host} is illegal". Run this node with a long name (--name), or give the peer's short name`,
    );
  }
}

/** The default host of a short name: this machine's host name up to the first dot. */
export function shortHostName(): string {
  return os.hostname().split('.')[0];
}

/**
 * The default host of a long name: this machine's fully qualified domain name. Fails, as erl
 * does, when no dotted name can be found (then give `name@host` explicitly).
 */
export async function longHostName(): Promise<string> {
  const hostname = os.hostname();
  if (hostname.includes('.')) return hostname;
  try {
    const { address } = await dns.promises.lookup(hostname);
    const { hostname: canonical } = await dns.promises.lookupService(address, 0);
    if (canonical.includes('.')) return canonical;
  } catch {
    // Unresolvable: fall through to the error below.
  }
  throw new NodeNameError(
    'no_long_host',
    `cannot find a fully qualified name for host ${hostname}; give the long name as name@host, the host fully qualified or an IP address of this machine (name@127.0.0.1 for this machine alone)`,
  );
}

/**
 * Our node name from what the user typed after `--sname`/`--name`: `alive` alone gets the
 * default host for `mode`; `alive@host` is checked as given.
 */
export async function makeNodeName(text: string, mode: NameMode): Promise<NodeName> {
  const withHost = text.includes('@') ? text : `${text}@${mode === 'short' ? shortHostName() : await longHostName()}`;
  const name = parseNodeName(withHost);
  checkOwnNodeName(name, mode);
  return name;
}
