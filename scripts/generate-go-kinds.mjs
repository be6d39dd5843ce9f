// Generates src/codemod/go-kinds.ts from tree-sitter-go's node-types.json, so that a misspelt node
// kind in the engine or a patch (`'call_expresion'`) is a type error instead of a silent non-match.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('tree-sitter-go/package.json'));
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const nodeTypes = JSON.parse(readFileSync(join(packageDir, 'src', 'node-types.json'), 'utf8'));
const kinds = [...new Set(nodeTypes.filter((t) => t.named && !t.type.startsWith('_')).map((t) => t.type))].sort();
const out = [
  `// Auto-generated from tree-sitter-go@${version} src/node-types.json by scripts/generate-go-kinds.mjs.`,
  '// Do not edit; run `npm run generate:kinds` after upgrading tree-sitter-go.',
  '',
  'export type GoNodeKind =',
  ...kinds.map((k, i) => `  | '${k}'${i === kinds.length - 1 ? ';' : ''}`),
  '',
];
if (process.argv.includes('--stdout')) {
  process.stdout.write(out.join('\n'));
} else {
  writeFileSync(new URL('../src/codemod/go-kinds.ts', import.meta.url), out.join('\n'));
  console.log(`src/codemod/go-kinds.ts: ${kinds.length} kinds from tree-sitter-go@${version}`);
}
