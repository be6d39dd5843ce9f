import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, REPO, tempDir } from '../helpers/fixtures.ts';

describe('the npm package', () => {
  it('installs from `npm pack` and its instrument bin applies and reverts', async () => {
    const out = tempDir();
    // --ignore-scripts: packs the dist/ that `npm test` built, rather than rebuilding it (prepack)
    // under the other e2e tests, which run the same dist/ at the same time.
    await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: REPO });
    const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    const { stdout: listing } = await execa('tar', ['-tzf', join(out, tarball)]);
    expect(listing).toContain('package/grammars/tree-sitter-go.wasm');
    expect(listing).toContain('package/bin/instrument.cjs');
    expect(listing).toContain('package/dist/cli/instrument.cjs');
    expect(listing).toContain('package/dist/cli/web-tree-sitter.wasm');
    expect(listing).toContain('package/dist/cli/instrument.cjs.v8cache');
    expect(listing).not.toContain('package/test/');

    const prefix = join(out, 'prefix');
    await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', join(out, tarball)]);
    const bin = join(prefix, 'node_modules', '.bin', 'instrument');
    const fixture = copyFixture('g05');
    const applied = await execa(bin, ['apply', '--source', fixture], { reject: false, env: { INSTRUMENT_CODE_CACHE: 'report' } });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('applied 8 points');
    // The code cache made by the build is taken where npm installed the package.
    expect(applied.stderr).toMatch(/^code cache: used instrument\.cjs .*; rejected -; compiled -$/m);
    const reverted = await execa(bin, ['revert', '--source', fixture], { reject: false });
    expect(reverted.exitCode).toBe(0);
  });

  it('bundles web-tree-sitter with the runtime wasm of the same release', () => {
    // The bundled JavaScript and the wasm beside it must come from one web-tree-sitter release;
    // a dist/ left over from before an upgrade would pair the new wasm with the old JavaScript.
    const packageWasm = join(dirname(createRequire(import.meta.url).resolve('web-tree-sitter')), 'web-tree-sitter.wasm');
    expect(readFileSync(join(REPO, 'dist', 'cli', 'web-tree-sitter.wasm')).equals(readFileSync(packageWasm))).toBe(true);
  });
});
