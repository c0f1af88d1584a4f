#!/usr/bin/env node
'use strict';
// The CLI is compiled by `npm ci` (the `prepare` script) into dist/.
const cli = require('../dist/src/cli.js');

cli.exitQuietlyOnClosedPipe();
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`erlbridge: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 1;
  },
);
