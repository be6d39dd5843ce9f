import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds instrument's package.json and grammars/. It is found by walking up from
 * this module because the module runs at two depths: src/ (tests) and dist/cli/ (the bundled
 * command line).
 */
export const PACKAGE_ROOT: string = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'grammars'))) return dir;
  }
  throw new Error(`no package.json with a grammars/ folder above ${fileURLToPath(import.meta.url)}: the instrument package is incomplete`);
})();
