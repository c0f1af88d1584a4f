#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm ci` (the `prepare` script) into dist/.
const cli = require('../dist/src/cli.js');

// Once a command has returned, what it leaves running (a served function's timer after the node
// stopped, a socket waiting for its peer's close) gets this long, then the process exits anyway.
const LINGER_MS = 500;

cli.exitQuietlyOnClosedPipe();
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), LINGER_MS).unref();
  },
  (err) => {
    process.stderr.write(`erlbridge: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 1;
  },
);
