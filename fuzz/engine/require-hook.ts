/**
 * Loads the project's TypeScript straight from source: a `require` hook compiles each `.ts` file
 * with `typescript.transpileModule` (CommonJS, no type check, so no build step), and instruments
 * the files a target covers (see ./instrument.ts). Everything else runs uninstrumented.
 */
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import * as ts from 'typescript';
import { installCoverageGlobals } from './coverage';
import { instrumenter } from './instrument';

/** The repository root: paths in `covers` are relative to it. */
export const ROOT = path.resolve(__dirname, '..', '..');

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  inlineSourceMap: true,
  inlineSources: false,
};

let instrumented = new Set<string>();
/** Compiled files, plain and instrumented: a target is loaded twice, and several in one process. */
const compiled = new Map<string, string>();

/** Absolute paths of the files compiled with instrumentation since the last {@link instrumentOnly}. */
export const instrumentedLoaded = new Set<string>();

type Loader = (module: Module & { _compile(code: string, filename: string): void }, filename: string) => void;

/**
 * Install the hook (again: it replaces the bootstrap one of fuzz/run.js) and choose the files to
 * instrument, as paths from the repository root. Files already loaded stay as they were.
 */
export function instrumentOnly(files: readonly string[]): void {
  instrumented = new Set(files.map((file) => path.resolve(ROOT, file)));
  instrumentedLoaded.clear();
  installCoverageGlobals();
  const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  extensions['.ts'] = (module, filename) => {
    const covered = instrumented.has(filename);
    const key = `${covered ? 'instrumented' : 'plain'} ${filename}`;
    let code = compiled.get(key);
    if (code === undefined) {
      code = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        compilerOptions: COMPILER_OPTIONS,
        fileName: filename,
        transformers: covered ? { before: [instrumenter(path.relative(ROOT, filename))] } : undefined,
      }).outputText;
      compiled.set(key, code);
    }
    if (covered) instrumentedLoaded.add(filename);
    module._compile(code, filename);
  };
  // Stacks of findings name lines of the TypeScript.
  process.setSourceMapsEnabled(true);
}

/** Forget every loaded module of the repository but the engine's, so that they load again through the hook. */
export function unloadProject(): void {
  const engine = path.join(ROOT, 'fuzz', 'engine') + path.sep;
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(ROOT + path.sep) && !id.startsWith(engine) && !id.includes(`${path.sep}node_modules${path.sep}`)) {
      delete require.cache[id];
    }
  }
}
