import { randomBytes, randomInt } from 'crypto';

/**
 * A creation as net_kernel's `create_creation` picks one for a node that no EPMD numbers: random,
 * never 0..3 (those mean "no creation" or old 2-bit creations).
 */
export function randomCreation(): number {
  return randomInt(4, 2 ** 32);
}

/**
 * The name we grant a peer that asked for one (`NAME_ME`, erl's `-sname undefined`): as
 * net_kernel's `generate_node_name`, a random 64-bit number in base 36 (upper case) at the host
 * the peer gave.
 */
export function dynamicNodeName(host: string): string {
  // rand:uniform(1 bsl 64) is 1..2^64; zero is as good a name and one draw simpler.
  return `${randomBytes(8).readBigUInt64BE().toString(36).toUpperCase()}@${host}`;
}
