import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, REPO, tempDir } from '../helpers/fixtures.ts';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Every file under `dir` with the sha256 of its bytes, by relative path. */
function hashes(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.set(path.slice(dir.length + 1), createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return found;
}

describe('the npm package', () => {
  it('installs from `npm pack` and its instrument bin applies and reverts', async () => {
    const out = tempDir();
    // --ignore-scripts: packs the dist/ that `npm test` built, rather than rebuilding it (prepack)
    // under the other e2e tests, which run the same dist/ at the same time.
    await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: REPO });
    const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'))!;
    const listing = (await execa('tar', ['-tzf', join(out, tarball)])).stdout.split('\n').map((f) => f.replace(/^package\//, ''));
    // What the bin needs and nothing else: no source maps, no tests, no sources.
    const chunks = readdirSync(join(REPO, 'dist', 'cli')).map((f) => `dist/cli/${f}`);
    expect(listing.sort()).toEqual(['LICENSE', 'README.md', 'bin/instrument.cjs', 'grammars/tree-sitter-go.wasm', 'package.json', ...chunks].sort());
    expect(listing).toContain('dist/cli/web-tree-sitter.wasm');
    expect(listing).toContain('dist/cli/instrument.cjs.v8cache');
    expect(listing.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(readFileSync(join(REPO, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
    // 1.0 MB with the source maps and the unused tsc output of dist/; 0.51 MB without.
    expect(statSync(join(out, tarball)).size).toBeLessThan(600_000);

    const prefix = join(out, 'prefix');
    await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', join(out, tarball)]);
    // npm installs the runtime dependencies only; commander and web-tree-sitter are inside the chunks.
    const installed = JSON.parse((await execa('npm', ['ls', '--prefix', prefix, '--all', '--json'])).stdout) as {
      dependencies: { instrument: { dependencies: Record<string, unknown> } };
    };
    expect(Object.keys(installed.dependencies.instrument.dependencies).sort()).toEqual(Object.keys(pkg.dependencies).sort());
    for (const bundled of ['commander', 'web-tree-sitter']) {
      expect(pkg.devDependencies[bundled]).toBeDefined();
      expect(readdirSync(join(prefix, 'node_modules'))).not.toContain(bundled);
    }
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

  it('requires from node_modules only what package.json lists as a runtime dependency', () => {
    // A package moved to devDependencies without being bundled would fail only in the command that loads it.
    const required = new Set<string>();
    for (const name of readdirSync(join(REPO, 'dist', 'cli')).filter((f) => f.endsWith('.cjs'))) {
      for (const match of readFileSync(join(REPO, 'dist', 'cli', name), 'utf8').matchAll(/\brequire\((["'])([^"'.][^"']*)\1\)/g)) required.add(match[2]!);
    }
    const packages = [...required].filter((id) => !id.startsWith('node:') && !builtinModules.includes(id)).map((id) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/'));
    expect(packages.length).toBeGreaterThan(0);
    expect([...new Set(packages)].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('bundles web-tree-sitter with the runtime wasm of the same release', () => {
    // The bundled JavaScript and the wasm beside it must come from one web-tree-sitter release;
    // a dist/ left over from before an upgrade would pair the new wasm with the old JavaScript.
    const packageWasm = join(dirname(createRequire(import.meta.url).resolve('web-tree-sitter')), 'web-tree-sitter.wasm');
    expect(readFileSync(join(REPO, 'dist', 'cli', 'web-tree-sitter.wasm')).equals(readFileSync(packageWasm))).toBe(true);
  });
});

describe('npm run build', () => {
  it('says two plain lines, and builds the same bytes twice', async () => {
    // In a copy of what the build reads, so the dist/ the other e2e tests run stays as it is. The
    // chunks do not depend on the folder; the code caches record it, so those are compared between
    // two builds in the same folder.
    const copy = tempDir();
    for (const path of ['package.json', 'rolldown.config.mjs', 'bin', 'scripts', 'src', 'grammars', 'test/go-fixtures/g12']) {
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      cpSync(join(REPO, path), join(copy, path), { recursive: true });
    }
    // Hard links where the file system allows (a symbolic link would put node_modules outside the
    // folder, which changes the chunks' comments).
    await execa('cp', ['-al', join(REPO, 'node_modules'), copy]).catch(() => execa('cp', ['-a', join(REPO, 'node_modules'), copy]));
    const first = await execa('npm', ['run', 'build'], { cwd: copy, all: true, env: { FORCE_COLOR: undefined } });
    const said = first.all.split('\n').filter((line) => line !== '' && !line.startsWith('> '));
    expect(said).toEqual([expect.stringMatching(/^dist\/cli: \d+ chunks, web-tree-sitter\.wasm; \d+ KiB$/), expect.stringMatching(/^dist\/cli: code cache for \d+ chunks$/)]);
    expect(first.all).not.toContain('\x1b');
    const built = hashes(join(copy, 'dist'));
    const repoBuild = hashes(join(REPO, 'dist'));
    expect(new Map([...built].filter(([path]) => !path.endsWith('.v8cache')))).toEqual(new Map([...repoBuild].filter(([path]) => !path.endsWith('.v8cache'))));
    expect([...built.keys()].filter((path) => path.endsWith('.v8cache')).length).toBeGreaterThan(0);
    await execa('npm', ['run', 'build', '--silent'], { cwd: copy });
    expect(hashes(join(copy, 'dist'))).toEqual(built);
  });
});
