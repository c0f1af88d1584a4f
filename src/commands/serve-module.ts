/**
 * `erlbridge node --serve [NAME=]FILE`: a JavaScript or TypeScript file's exported functions,
 * served as the Erlang module NAME (by default the file's name without its extension) through
 * `node.modules.registerModule`, so that only they are callable and anything else is `undef`.
 *
 * CommonJS (`.cjs`, `.js`) loads with `require`, ES modules (`.mjs`, `.js` in a `"type":
 * "module"` package) with `require` where this Node can (20.19 on) and `import()` otherwise.
 * Node 20 cannot run TypeScript, so `.ts`, `.cts` and `.mts` files (and the TypeScript files they
 * import) are turned into CommonJS by the `typescript` package's `transpileModule`, found from the
 * served file's directory or from erlbridge's own.
 */
import * as fs from 'fs';
import Module, { createRequire } from 'module';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { ErlFunction, ModuleDefinition } from '../rpc/modules';

/** One `--serve [NAME=]FILE`, read. */
export interface ServeSpec {
  /** The Erlang module name. */
  name: string;
  /** The file, as given. */
  file: string;
}

/** A file loaded for serving: the module name and its functions by name. */
export interface ServedModule extends ServeSpec {
  functions: ModuleDefinition;
}

/** A `--serve` file that cannot be served: its message is one line naming the file and why. */
export class ServeError extends Error {
  override readonly name = 'ServeError';
}

const TYPESCRIPT_EXTENSIONS = ['.ts', '.cts', '.mts'];

/**
 * `NAME=FILE` or `FILE`. A `=` counts only before the first path separator, so `./a=b.js` is a
 * file. Without NAME the module is named after the file: `lib/weather.ts` serves `weather`.
 */
export function parseServeSpec(text: string): ServeSpec {
  const named = /^([^=/\\]+)=(.+)$/.exec(text);
  if (named) return { name: named[1], file: named[2] };
  const name = path.basename(text, path.extname(text));
  if (name === '') throw new ServeError(`--serve ${text}: no module name in the file name; give one as NAME=FILE`);
  return { name, file: text };
}

/**
 * Load `spec.file` and pick its exported functions: named exports (or `module.exports`'
 * properties) that are functions. Other exports, and an ES module's `default`, are left out.
 * A function's arity is its `erlangArity` property, else its `length`.
 *
 * @throws ServeError when the file is missing, does not load, or exports no function.
 */
export async function loadServedModule(spec: ServeSpec): Promise<ServedModule> {
  const file = path.resolve(spec.file);
  if (!fs.existsSync(file)) throw new ServeError(`--serve ${spec.file}: no such file`);
  let exported: Record<string, unknown>;
  try {
    exported = await loadFile(file);
  } catch (err) {
    if (err instanceof ServeError) throw new ServeError(`--serve ${spec.file}: ${err.message}`);
    throw new ServeError(`--serve ${spec.file} does not load: ${loadFailure(err, file)}`, { cause: err });
  }
  const functions: ModuleDefinition = {};
  for (const [key, value] of Object.entries(exported)) {
    if (typeof value === 'function' && key !== 'default') functions[key] = value as ErlFunction;
  }
  if (Object.keys(functions).length === 0) {
    throw new ServeError(
      `--serve ${spec.file} exports no functions (served are named exports: export function f, or module.exports = { f })`,
    );
  }
  return { ...spec, functions };
}

async function loadFile(file: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT_EXTENSIONS.includes(path.extname(file))) compileTypeScriptOnRequire(file);
  try {
    return createRequire(file)(file) as Record<string, unknown>;
  } catch (err) {
    // An ES module this Node cannot require (before 20.19, or one with top-level await).
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
    return (await importModule(pathToFileURL(file).href)) as Record<string, unknown>;
  }
}

// tsc turns `import()` into `require()` in this CommonJS build; a Function keeps it an import.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

/** Why loading failed, in one line: the message, and for a syntax error where it is. */
function loadFailure(err: unknown, file: string): string {
  if (!(err instanceof Error)) return String(err);
  const message = err.message.split('\n')[0];
  // Node's SyntaxError from require gives the place as the first line of its stack: "FILE:LINE".
  const place = err instanceof SyntaxError ? err.stack?.split('\n')[0] : undefined;
  return place?.startsWith(`${file}:`) ? `${err.name} at line ${place.slice(file.length + 1)}: ${message}` : `${err.name}: ${message}`;
}

/** The parts of the `typescript` package used here. */
interface TypeScript {
  transpileModule(
    source: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string; reportDiagnostics: boolean },
  ): { outputText: string; diagnostics?: Diagnostic[] };
  flattenDiagnosticMessageText(text: unknown, newLine: string): string;
  getLineAndCharacterOfPosition(file: unknown, position: number): { line: number; character: number };
}

interface Diagnostic {
  file?: unknown;
  start?: number;
  messageText: unknown;
}

/** Node's CommonJS loader, as far as an extension hook needs it. */
interface CommonJsModule {
  _compile(code: string, filename: string): void;
}
type ExtensionHook = (module: CommonJsModule, filename: string) => void;

/**
 * Make `require` compile TypeScript files (the served one and those it imports) with
 * transpileModule, unless something (ts-node, say) already does.
 */
function compileTypeScriptOnRequire(file: string): void {
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionHook | undefined> })._extensions;
  const ts = typeScriptFor(file);
  // Stack traces, and so the {file, line} erl sees in an error's stack, point into the .ts file.
  process.setSourceMapsEnabled(true);
  for (const ext of TYPESCRIPT_EXTENSIONS) {
    extensions[ext] ??= (module, filename) => module._compile(transpile(ts, filename), filename);
  }
}

/** The typescript package, from the served file's directory, else from erlbridge's. */
function typeScriptFor(file: string): TypeScript {
  for (const from of [file, __filename]) {
    try {
      return createRequire(from)('typescript') as TypeScript;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  throw new ServeError(
    'Node 20 runs no TypeScript, and the typescript package that would compile it is not installed: npm install --save-dev typescript where the file is, or serve its compiled JavaScript',
  );
}

function transpile(ts: TypeScript, filename: string): string {
  const { outputText, diagnostics = [] } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true, inlineSourceMap: true },
    fileName: filename,
    reportDiagnostics: true,
  });
  const [first] = diagnostics;
  if (first !== undefined) {
    const at = first.file && first.start !== undefined ? ts.getLineAndCharacterOfPosition(first.file, first.start) : undefined;
    const where = at ? ` at line ${at.line + 1}, column ${at.character + 1}` : '';
    throw new ServeError(`${path.basename(filename)} does not compile${where}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`);
  }
  return outputText;
}
