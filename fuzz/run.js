#!/usr/bin/env node
'use strict';
/*
 * Entry point of `npm run fuzz` (see docs/fuzzing.md and fuzz/engine/main.ts for the flags):
 * a minimal require hook that compiles TypeScript with `transpileModule`, enough to load the
 * engine, which then installs its own (instrumenting) hook. No build step.
 */
const fs = require('fs');
const Module = require('module');
const ts = require('typescript');

Module._extensions['.ts'] = (module, filename) => {
  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(output.outputText, filename);
};

require('./engine/main.ts');
