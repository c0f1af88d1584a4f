import { EpmdTag } from './codes';
import { EpmdNode, parseNodeFields, serializeNodeFields } from './node';

/** EPMD's answer to NAMES_REQ. */
export interface NamesReply {
  /** The port EPMD says it listens on. */
  epmdPort: number;
  /** One entry per `name N at port P` line. */
  nodes: Array<Pick<EpmdNode, 'name' | 'port'>>;
}

/** Result byte that epmd returns for a duplicate or invalid name, with creation 99. */
export const ALIVE2_FAILURE = { result: 1, creation: 99 } as const;

/** ALIVE2_X_RESP (u32 creation) when `extended`, else the old ALIVE2_RESP (u16 creation). */
export function serializeAlive2Reply(result: number, creation: number, extended: boolean): Buffer {
  if (extended) {
    const reply = Buffer.allocUnsafe(6);
    reply.writeUInt8(EpmdTag.Alive2ExtendedReply, 0);
    reply.writeUInt8(result, 1);
    reply.writeUInt32BE(creation >>> 0, 2);
    return reply;
  }
  const reply = Buffer.allocUnsafe(4);
  reply.writeUInt8(EpmdTag.Alive2Reply, 0);
  reply.writeUInt8(result, 1);
  reply.writeUInt16BE(creation & 0xffff, 2);
  return reply;
}

/** How many bytes an ALIVE2 reply starting with `tag` has in total, or null for another tag. */
export function alive2ReplyLength(tag: number): number | null {
  if (tag === EpmdTag.Alive2ExtendedReply) return 6;
  if (tag === EpmdTag.Alive2Reply) return 4;
  return null;
}

/** Result and creation of a complete ALIVE2 reply (see {@link alive2ReplyLength}). */
export function parseAlive2Reply(reply: Buffer): { result: number; creation: number } {
  return {
    result: reply[1],
    creation: reply[0] === EpmdTag.Alive2ExtendedReply ? reply.readUInt32BE(2) : reply.readUInt16BE(2),
  };
}

/** PORT2_RESP for a found node, or the `[119, 1]` "not found" reply for null. */
export function serializePort2Reply(node: EpmdNode | null): Buffer {
  if (node === null) return Buffer.from([EpmdTag.Port2Reply, 1]);
  return Buffer.concat([Buffer.from([EpmdTag.Port2Reply, 0]), serializeNodeFields(node)]);
}

/** A complete PORT2_RESP: the node, or null when EPMD does not know the name. */
export function parsePort2Reply(reply: Buffer): EpmdNode | null {
  if (reply.length < 2 || reply[0] !== EpmdTag.Port2Reply) throw new RangeError('not a PORT2_RESP');
  if (reply[1] !== 0) return null;
  const parsed = parseNodeFields(reply, 2);
  if (!parsed) throw new RangeError('truncated PORT2_RESP');
  return parsed.node;
}

/** NAMES reply: u32 EPMD port, then `name N at port P\n` per node. */
export function serializeNamesReply(epmdPort: number, nodes: NamesReply['nodes']): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(epmdPort, 0);
  const lines = nodes.map((node) => `name ${node.name} at port ${node.port}\n`).join('');
  return Buffer.concat([header, Buffer.from(lines, 'utf8')]);
}

const NAME_LINE = /^name (.+) at port (\d+)$/;

/** A complete NAMES reply. Lines of another shape are skipped. */
export function parseNamesReply(reply: Buffer): NamesReply {
  if (reply.length < 4) throw new RangeError('truncated NAMES reply');
  const nodes: NamesReply['nodes'] = [];
  for (const line of reply.toString('utf8', 4).split('\n')) {
    const match = NAME_LINE.exec(line);
    if (match) nodes.push({ name: match[1], port: Number(match[2]) });
  }
  return { epmdPort: reply.readUInt32BE(0), nodes };
}
