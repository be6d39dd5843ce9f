#!/usr/bin/env node
// Times `instrument check` without --build on 10 refs of a local upstream repository (one commit
// per upstream shape: the five fixtures and the five variants), as the built CLI runs it.
//   npm run build && node bench/check.mjs [--runs 3] [--jobs N]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, jobs: { type: 'string', default: String(availableParallelism()) } } });
const repo = new URL('..', import.meta.url).pathname;
const fixtures = join(repo, 'test', 'go-fixtures');
const work = mkdtempSync(join(tmpdir(), 'instrument-bench-check-'));
const upstream = join(work, 'upstream');
mkdirSync(upstream);
const git = (...args) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.invalid', ...args], { cwd: upstream, stdio: 'pipe' });
git('init', '--quiet', '--initial-branch', 'main');
const refs = [
  ['v0.4.0', 'g040'], ['v0.5.1', 'g05'], ['v1.0.0', 'g12', 'g10'], ['v1.1.0', 'g12', 'g11'], ['v1.2.0', 'g12'],
  ['v1.3.1', 'g12', 'g131'], ['v1.3.9', 'g15', 'gps'], ['v1.4.0', 'g15', 'g14'], ['v1.5.0', 'g15'], ['v1.9.0', 'lh'],
];
for (const [tag, base, variant] of refs) {
  for (const name of readdirSync(upstream)) if (name !== '.git') rmSync(join(upstream, name), { recursive: true });
  cpSync(join(fixtures, base), upstream, { recursive: true });
  if (variant) git('apply', join(fixtures, 'variants', `${variant}.patch`));
  git('add', '--all');
  git('commit', '--quiet', '-m', tag);
  git('tag', tag);
}

const cache = join(work, 'cache');
const times = [];
for (let run = 0; run <= Number(values.runs); run++) {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [join(repo, 'bin', 'instrument.cjs'), 'check', '--upstream', upstream, '--tags', '*', '--jobs', values.jobs, '--cache', cache], { stdio: 'ignore' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The first run clones the upstream into the cache; the timed runs reuse it, as CI does.
  if (run > 0) times.push(seconds);
  else console.log(`first run (clones the upstream): ${seconds.toFixed(1)} s`);
}
times.sort((a, b) => a - b);
console.log(`check of ${refs.length} refs without --build, --jobs ${values.jobs}: median ${times[Math.floor(times.length / 2)].toFixed(1)} s, max ${times.at(-1).toFixed(1)} s (${times.length} runs)`);
console.log(`target under 10 s: ${times[Math.floor(times.length / 2)] < 10 ? 'met' : 'NOT met'}`);
rmSync(work, { recursive: true, force: true });
