/**
 * erlbridge: a Node.js program as a real node of an Erlang cluster.
 * @packageDocumentation
 */
export * from '../codec';
