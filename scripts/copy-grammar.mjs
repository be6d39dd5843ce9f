// Copies the Go grammar from the tree-sitter-go package into grammars/, where the CLI loads it from.
// The wasm is committed so that the published package needs neither tree-sitter-go (and its native
// install script) nor a build step; test/unit/grammar.test.ts fails when the two drift apart.
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('tree-sitter-go/package.json'));
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
copyFileSync(join(packageDir, 'tree-sitter-go.wasm'), new URL('../grammars/tree-sitter-go.wasm', import.meta.url));
console.log(`grammars/tree-sitter-go.wasm <- tree-sitter-go@${version}`);
