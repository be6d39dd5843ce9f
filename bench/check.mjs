#!/usr/bin/env node
// Times `instrument check` on 10 refs of a local upstream repository (one commit per upstream shape:
// the five fixtures and the five variants), as the built CLI runs it.
//   npm run build && node bench/check.mjs [--runs 3] [--jobs N]
// With --build (and --test), the first run is cold: empty Go module cache, build cache and clone
// cache of its own, as on a CI runner with nothing restored; the timed runs after it are warm, as on
// a runner whose actions/cache restored all three. Modules then come from the Go module proxy.
//   npm run build && node bench/check.mjs --build [--test] [--runs 2]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, jobs: { type: 'string', default: String(availableParallelism()) }, build: { type: 'boolean', default: false }, test: { type: 'boolean', default: false } },
});
const goSteps = [...(values.build ? ['--build'] : []), ...(values.test ? ['--test'] : [])];
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
// Go's caches of this run alone (for --build/--test); -modcacherw so that they can be removed afterwards.
const goEnv = goSteps.length > 0 ? { GOMODCACHE: join(work, 'gomodcache'), GOCACHE: join(work, 'gocache'), GOFLAGS: '-modcacherw' } : {};
const env = { ...process.env, ...goEnv };
/**
 * CPU seconds used by every child process waited for so far (cutime + cstime of /proc/self/stat;
 * the go command's compilers are waited for by it, so they count too). Wall time on this shared
 * machine depends on its load; CPU time says what a runner with N free cores needs, about CPU / N.
 */
function childCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
const times = [];
for (let run = 0; run <= Number(values.runs); run++) {
  const cpuBefore = childCpuSeconds();
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [join(repo, 'bin', 'instrument.cjs'), 'check', '--upstream', upstream, '--tags', '*', '--jobs', values.jobs, '--cache', cache, ...goSteps], { stdio: 'ignore', env });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = childCpuSeconds() - cpuBefore;
  console.log(`run ${run}${run === 0 ? ' (cold)' : ' (warm)'}: ${seconds.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU`);
  // The first run clones the upstream into the cache (and, with --build, fills Go's caches); the
  // timed runs reuse them, as CI does with its caches restored.
  if (run > 0) times.push(seconds);
  else console.log(`first run, cold (clones the upstream${goSteps.length > 0 ? '; empty Go module and build caches' : ''}): ${seconds.toFixed(1)} s`);
}
times.sort((a, b) => a - b);
const what = goSteps.length > 0 ? `with ${goSteps.join(' ')}` : 'without --build';
console.log(`check of ${refs.length} refs ${what}, --jobs ${values.jobs}, warm: median ${times[Math.floor(times.length / 2)].toFixed(1)} s, max ${times.at(-1).toFixed(1)} s (${times.length} runs)`);
if (goSteps.length === 0) console.log(`target under 10 s: ${times[Math.floor(times.length / 2)] < 10 ? 'met' : 'NOT met'}`);
rmSync(work, { recursive: true, force: true });
