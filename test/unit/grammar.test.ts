import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/fixtures.ts';

const packageDir = dirname(createRequire(import.meta.url).resolve('tree-sitter-go/package.json'));

describe('the shipped Go grammar', () => {
  it('is the one in the installed tree-sitter-go package (run `npm run grammar` after upgrading it)', () => {
    const shipped = readFileSync(join(REPO, 'grammars', 'tree-sitter-go.wasm'));
    expect(shipped.equals(readFileSync(join(packageDir, 'tree-sitter-go.wasm')))).toBe(true);
  });

  it('matches the generated node kinds (run `npm run generate:kinds` after upgrading it)', () => {
    const committed = readFileSync(join(REPO, 'src', 'codemod', 'go-kinds.ts'), 'utf8');
    const generated = execFileSync(process.execPath, [join(REPO, 'scripts', 'generate-go-kinds.mjs'), '--stdout'], { cwd: REPO, encoding: 'utf8' });
    expect(generated).toBe(committed);
  });
});
