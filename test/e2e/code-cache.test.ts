import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, REPO, tempDir } from '../helpers/fixtures.ts';

// The V8 code cache `npm run build` writes beside the command line's chunks (src/start/code-cache.ts),
// seen through INSTRUMENT_CODE_CACHE=report, which prints one line on stderr at exit.

interface Report {
  used: string[];
  rejected: string[];
  compiled: string[];
}

function parseReport(stderr: string): Report {
  const line = /^code cache: used (.*); rejected (.*); compiled (.*)$/m.exec(stderr);
  if (!line) throw new Error(`no code cache report in:\n${stderr}`);
  const names = (list: string) => (list === '-' ? [] : list.split(' '));
  return { used: names(line[1]!), rejected: names(line[2]!), compiled: names(line[3]!) };
}

/** A copy of the package as npm would install it, so that its caches can be spoiled. */
function packageCopy(): string {
  const dir = join(tempDir(), 'instrument');
  for (const part of ['bin', 'dist', 'grammars', 'package.json']) cpSync(join(REPO, part), join(dir, part), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function run(packageDir: string, args: string[], options: { nodeFlags?: string[]; cache?: string } = {}) {
  const result = await execa(process.execPath, [...(options.nodeFlags ?? []), join(packageDir, 'bin', 'instrument.cjs'), ...args], {
    reject: false,
    env: { INSTRUMENT_CODE_CACHE: options.cache ?? 'report' },
  });
  return { ...result, report: (options.cache ?? 'report') === 'report' ? parseReport(result.stderr) : undefined };
}

describe('the code cache of the built command line', () => {
  it('is there for every chunk apply and revert load, and V8 takes it', async () => {
    const fixture = copyFixture('g12');
    const applied = await run(REPO, ['apply', '--source', fixture]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.report!.rejected).toEqual([]);
    expect(applied.report!.compiled).toEqual([]);
    expect(applied.report!.used).toContain('instrument.cjs');
    expect(applied.report!.used.some((name) => name.startsWith('apply-'))).toBe(true);
    const reverted = await run(REPO, ['revert', '--source', fixture]);
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect(reverted.report).toMatchObject({ rejected: [], compiled: [] });
    for (const name of [...applied.report!.used, ...reverted.report!.used]) expect(existsSync(join(REPO, 'dist', 'cli', `${name}.v8cache`))).toBe(true);
  });

  it('is refused when it does not fit, and the command still works', async () => {
    const dir = packageCopy();
    const chunks = join(dir, 'dist', 'cli');
    const apply = readdirSync(chunks).find((n) => /^apply-.*\.cjs$/.test(n))!;
    // Another chunk's cache in place of apply's: V8 sees a source of another length.
    cpSync(join(chunks, 'instrument.cjs.v8cache'), join(chunks, `${apply}.v8cache`));
    // Garbage in place of the engine entry's chunk's (the lock and the session).
    const lock = readdirSync(chunks).find((n) => /^session-.*\.cjs$/.test(n))!;
    writeFileSync(join(chunks, `${lock}.v8cache`), 'not a code cache');
    // One that cannot be read at all (a folder in its place): the chunk is compiled from source.
    const transaction = readdirSync(chunks).find((n) => /^transaction-.*\.cjs$/.test(n))!;
    rmSync(join(chunks, `${transaction}.v8cache`));
    mkdirSync(join(chunks, `${transaction}.v8cache`));
    const fixture = copyFixture('g12');
    const applied = await run(dir, ['apply', '--source', fixture]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('applied 8 points');
    expect(applied.report!.rejected.sort()).toEqual([apply, lock].sort());
    expect(applied.report!.compiled).toEqual([transaction]);

    // Other V8 flags than the cache was made with: every cache is refused.
    const reverted = await run(dir, ['revert', '--source', fixture], { nodeFlags: ['--max-lazy'] });
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect(reverted.report!.used).toEqual([]);
    expect(reverted.report!.rejected).toContain('instrument.cjs');
  });

  it('can be switched off, and the build writes only the caches that are missing', async () => {
    const dir = packageCopy();
    const chunks = join(dir, 'dist', 'cli');
    const fixture = copyFixture('g12');
    const off = await run(dir, ['status', '--source', fixture], { cache: 'off' });
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.stderr).not.toContain('code cache:');

    const instrumentCache = readFileSync(join(chunks, 'instrument.cjs.v8cache'));
    const status = readdirSync(chunks).find((n) => /^status-.*\.cjs$/.test(n))!;
    rmSync(join(chunks, `${status}.v8cache`), { force: true });
    const written = await run(dir, ['status', '--source', fixture], { cache: 'write' });
    expect(written.exitCode, written.stderr).toBe(0);
    expect(existsSync(join(chunks, `${status}.v8cache`))).toBe(true);
    expect(readFileSync(join(chunks, 'instrument.cjs.v8cache')).equals(instrumentCache)).toBe(true);
    const again = await run(dir, ['status', '--source', fixture]);
    expect(again.report!.used).toContain(status);
    expect(again.report!.rejected).toEqual([]);
  });
});
