/**
 * erlbridge: a Node.js program as a real node of an Erlang cluster.
 * @packageDocumentation
 */
export * from '../codec';

/** lib_chan, the book's socket-based distribution: `libChan.connect`, `libChan.startChanServer`, ... */
export * as libChan from './chan';
