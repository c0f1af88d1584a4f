/** `erlbridge --version`: the version in the package's own package.json. */
import * as fs from 'fs';
import * as path from 'path';

/**
 * The version of the erlbridge package this file belongs to. The file runs from `src/` under
 * ts-jest and from `dist/src/` when built, so the package.json is found by walking up.
 */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'erlbridge' && typeof pkg.version === 'string') return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json of erlbridge above ${__dirname}`);
  }
}
