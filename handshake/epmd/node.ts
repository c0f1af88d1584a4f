import { lengthPrefixed, lengthPrefixedAt } from '../transport/length-prefix';

/** A node as EPMD knows it: what ALIVE2_REQ registers and PORT2_RESP hands out. */
export interface EpmdNode {
  /** The node name part before `@`. */
  name: string;
  /** The node's distribution listen port. */
  port: number;
  /** 77 (`M`) for an Erlang node, 72 (`H`) for a C node. */
  nodeType: number;
  /** 0: TCP/IP. */
  protocol: number;
  /** Highest distribution version the node speaks. */
  highestVersion: number;
  /** Lowest distribution version the node speaks. */
  lowestVersion: number;
  /** Opaque extra data, handed back as registered. */
  extra: Buffer;
}

// port, node type, protocol, highest and lowest version: the fixed part before the name.
const FIXED_FIELDS_BYTES = 8;

/**
 * The node's fields as ALIVE2_REQ and PORT2_RESP both lay them out after their leading bytes:
 * u16 port, u8 node type, u8 protocol, u16 highest and lowest version, then the name and the
 * extra data, each behind a u16 length.
 */
export function serializeNodeFields(node: EpmdNode): Buffer {
  const fixed = Buffer.allocUnsafe(FIXED_FIELDS_BYTES);
  fixed.writeUInt16BE(node.port, 0);
  fixed.writeUInt8(node.nodeType, 2);
  fixed.writeUInt8(node.protocol, 3);
  fixed.writeUInt16BE(node.highestVersion, 4);
  fixed.writeUInt16BE(node.lowestVersion, 6);
  return Buffer.concat([fixed, lengthPrefixed(Buffer.from(node.name, 'utf8'), 2), lengthPrefixed(node.extra, 2)]);
}

/**
 * The node fields at `offset`, or null when they overrun `bytes`. The name also comes as raw
 * bytes, because EPMD checks those (NUL, UTF-8) before it accepts the name.
 */
export function parseNodeFields(bytes: Buffer, offset: number): { node: EpmdNode; nameBytes: Buffer } | null {
  const name = lengthPrefixedAt(bytes, 2, offset + FIXED_FIELDS_BYTES);
  const extra = name && lengthPrefixedAt(bytes, 2, name.end);
  if (!name || !extra) return null;
  return {
    nameBytes: name.value,
    node: {
      name: name.value.toString('utf8'),
      port: bytes.readUInt16BE(offset),
      nodeType: bytes[offset + 2],
      protocol: bytes[offset + 3],
      highestVersion: bytes.readUInt16BE(offset + 4),
      lowestVersion: bytes.readUInt16BE(offset + 6),
      // A copy: a view would keep the whole request buffer alive as long as the registration.
      extra: Buffer.from(extra.value),
    },
  };
}
