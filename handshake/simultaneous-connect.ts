/** What an acceptor answers when a node dials it while it is itself dialing that node. */
export type SimultaneousConnectStatus = 'nok' | 'ok_simultaneous';

/**
 * net_kernel's rule for simultaneous connects: the node with the greater name keeps its own
 * attempt (answers `nok`); the other gives its attempt up (answers `ok_simultaneous`). Names
 * compare as Erlang atoms do, by their UTF-8 bytes.
 */
export function simultaneousConnectStatus(ourName: string, peerName: string): SimultaneousConnectStatus {
  return Buffer.compare(Buffer.from(ourName, 'utf8'), Buffer.from(peerName, 'utf8')) > 0 ? 'nok' : 'ok_simultaneous';
}
