import { isUtf8 } from 'buffer';
import { lengthPrefixed } from '../transport/length-prefix';
import { EpmdTag, MAX_EPMD_NAME_CHARACTERS } from './codes';
import { EpmdNode, parseNodeFields, serializeNodeFields } from './node';

/** A request as the EPMD server understands it. */
export type EpmdRequest = { kind: 'alive2'; registration: EpmdNode } | { kind: 'port_please2'; name: string } | { kind: 'names' };

/**
 * The outcome of parsing one request body: a request; an ALIVE2 that epmd answers with an error
 * (`rejected`); or something epmd drops without a reply (`invalid`).
 */
export type ParsedEpmdRequest =
  EpmdRequest | { kind: 'rejected'; reason: string; highestVersion: number } | { kind: 'invalid'; reason: string };

// epmd limits names and extra data to 255 UTF-8 characters of up to 4 bytes (MAXSYMLEN).
const MAX_SYMBOL_BYTES = 255 * 4;

/** ALIVE2_REQ, length-prefixed. */
export function serializeAlive2Request(registration: EpmdNode): Buffer {
  return lengthPrefixed(Buffer.concat([Buffer.from([EpmdTag.Alive2Request]), serializeNodeFields(registration)]), 2);
}

/** PORT_PLEASE2_REQ for a node name part, length-prefixed. */
export function serializePortPlease2Request(name: string): Buffer {
  return lengthPrefixed(Buffer.concat([Buffer.from([EpmdTag.PortPlease2Request]), Buffer.from(name, 'utf8')]), 2);
}

/** NAMES_REQ, length-prefixed. */
export function serializeNamesRequest(): Buffer {
  return lengthPrefixed(Buffer.from([EpmdTag.NamesRequest]), 2);
}

/** A node name part EPMD can hold: valid UTF-8, 1..255 characters, no NUL. */
function nameProblem(bytes: Buffer): string | null {
  if (bytes.includes(0)) return 'name contains NUL';
  if (!isUtf8(bytes)) return 'name is not UTF-8';
  const characters = [...bytes.toString('utf8')].length;
  if (characters < 1 || characters > MAX_EPMD_NAME_CHARACTERS) return `name has ${characters} characters`;
  return null;
}

/** Parse a request body (the bytes after the u16 length) with epmd_srv.c's checks. */
export function parseEpmdRequest(body: Buffer): ParsedEpmdRequest {
  switch (body[0]) {
    case EpmdTag.Alive2Request:
      return parseAlive2(body);
    case EpmdTag.PortPlease2Request:
      return parsePortPlease2(body);
    case EpmdTag.NamesRequest:
      return { kind: 'names' };
    default:
      return { kind: 'invalid', reason: `unknown request ${body[0]}` };
  }
}

function parseAlive2(body: Buffer): ParsedEpmdRequest {
  // epmd_srv.c drops an ALIVE2_REQ of 13 bytes or fewer before looking at its fields.
  if (body.length <= 13) return { kind: 'invalid', reason: 'ALIVE2_REQ too short' };
  const parsed = parseNodeFields(body, 1);
  if (!parsed) return { kind: 'invalid', reason: 'ALIVE2_REQ name or extra overruns' };
  const { node, nameBytes } = parsed;
  if (nameBytes.includes(0)) return { kind: 'invalid', reason: 'ALIVE2_REQ name contains NUL' };
  const { highestVersion } = node;
  const problem = nameBytes.length > MAX_SYMBOL_BYTES ? 'name too long' : nameProblem(nameBytes);
  if (problem) return { kind: 'rejected', reason: problem, highestVersion };
  if (node.extra.length > MAX_SYMBOL_BYTES) return { kind: 'rejected', reason: 'extra data too long', highestVersion };
  return { kind: 'alive2', registration: node };
}

function parsePortPlease2(body: Buffer): ParsedEpmdRequest {
  // Old clients NUL-terminate the name; epmd strips one trailing NUL.
  const end = body[body.length - 1] === 0 ? body.length - 1 : body.length;
  const nameBytes = body.subarray(1, end);
  const problem = nameProblem(nameBytes);
  if (problem) return { kind: 'invalid', reason: `PORT_PLEASE2_REQ ${problem}` };
  return { kind: 'port_please2', name: nameBytes.toString('utf8') };
}
