import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.ts';
import { copyFixture } from '../helpers/fixtures.ts';

describe('taking over a stale lock', () => {
  // Two runs used to both take over a dead run's lock and both apply, or one fell over on ENOENT.
  it.each([1, 2, 3])('cannot be won twice: of six runs started at once on a dead lock, one applies (round %i)', async () => {
    const dir = copyFixture('g12');
    mkdirSync(join(dir, '.instrument'));
    writeFileSync(join(dir, '.instrument', 'lock'), JSON.stringify({ id: 'dead', pid: 2 ** 22 + 11, host: hostname(), command: 'apply', since: 'earlier' }));
    const runs = await Promise.all(Array.from({ length: 6 }, () => spawnCli(['apply', '--source', dir], { cwd: dir })));
    const applied = runs.filter((r) => r.exitCode === 0 && r.stdout.startsWith('applied 8 points'));
    expect(applied, runs.map((r) => `${r.exitCode} ${r.stdout.split('\n')[0]} ${r.stderr.split('\n')[0]}`).join('\n')).toHaveLength(1);
    for (const run of runs) {
      // The others found the lock held, or ran after the winner and found the patches in.
      if (run !== applied[0]) expect(run.exitCode === 1 ? run.stderr : run.stdout).toMatch(/^(error: another instrument run (holds|is taking) the lock|error: could not take the lock|already applied)/);
    }
    expect(readdirSync(join(dir, '.instrument'))).toEqual(['state.json']);
  });
});
