/** Bounds of a {@link DialCache}. */
export interface DialCacheLimits {
  /** Host names whose address is kept. Default 64. */
  hosts?: number;
  /** EPMD answers kept. Default 256. */
  nodes?: number;
  /** How long a resolved address is used, in ms, so that a changed DNS record is seen. Default 30000. */
  addressTtl?: number;
}

/** What a dial needs of EPMD's PORT2 answer for a node. */
export interface EpmdAnswer {
  /** The node's distribution port. */
  port: number;
  /** The highest distribution version it speaks. */
  highestVersion: number;
}

/** Where a node's EPMD answer came from: its host's address, EPMD's port there, its name in EPMD. */
export interface EpmdEntryKey {
  address: string;
  epmdPort: number;
  alive: string;
}

const DEFAULT_HOSTS = 64;
const DEFAULT_NODES = 256;
const DEFAULT_ADDRESS_TTL_MS = 30_000;

/**
 * What dialing learnt, for the next dial to the same node: host name → address, and EPMD's
 * PORT2 answer for the node. Each dial would otherwise resolve the host and ask EPMD again,
 * a thread-pool round trip and a connection more per connect. Nothing here is trusted beyond
 * one attempt: a dial that fails with an entry forgets it (and `connectToNode` tries once more
 * afresh), so a peer restarted on another port is found again. Both maps are bounded, oldest
 * entry out first.
 */
export class DialCache {
  private readonly addresses = new Map<string, { address: string; until: number }>();
  private readonly nodes = new Map<string, EpmdAnswer>();
  private readonly maxHosts: number;
  private readonly maxNodes: number;
  private readonly addressTtl: number;

  constructor(limits: DialCacheLimits = {}) {
    this.maxHosts = limits.hosts ?? DEFAULT_HOSTS;
    this.maxNodes = limits.nodes ?? DEFAULT_NODES;
    this.addressTtl = limits.addressTtl ?? DEFAULT_ADDRESS_TTL_MS;
  }

  /** The address `host` resolved to, while it is fresh. */
  address(host: string): string | undefined {
    const entry = this.addresses.get(host);
    if (entry === undefined) return undefined;
    if (Date.now() < entry.until) return entry.address;
    this.addresses.delete(host);
    return undefined;
  }

  /** Remember what `host` resolved to. */
  rememberAddress(host: string, address: string): void {
    remember(this.addresses, host, { address, until: Date.now() + this.addressTtl }, this.maxHosts);
  }

  /** Forget `host`'s address. */
  forgetAddress(host: string): void {
    this.addresses.delete(host);
  }

  /** EPMD's last answer for the node. */
  node(key: EpmdEntryKey): EpmdAnswer | undefined {
    return this.nodes.get(nodeKey(key));
  }

  /** Remember EPMD's answer for the node. */
  rememberNode(key: EpmdEntryKey, node: EpmdAnswer): void {
    remember(this.nodes, nodeKey(key), node, this.maxNodes);
  }

  /** Forget EPMD's answer for the node. */
  forgetNode(key: EpmdEntryKey): void {
    this.nodes.delete(nodeKey(key));
  }
}

function nodeKey({ address, epmdPort, alive }: EpmdEntryKey): string {
  return `${alive}@${address}:${epmdPort}`;
}

// A Map iterates in insertion order: deleting first makes an update the newest entry.
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}
