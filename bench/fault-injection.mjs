#!/usr/bin/env node
// Fault injection for apply and revert (Linux, strace): kills at the entry of every write-related
// system call of apply and of revert, kills of the recovery run at each of its own, random timer
// kills, and disk errors (ENOSPC, EIO, EROFS) returned by each of those calls. After every trial:
// each file is whole (its old or its new bytes), and after the documented recovery (the next
// `instrument apply` or `instrument revert`) and a final revert the tree is byte-identical to the
// pristine one (paths, modes, contents) with `.instrument/` gone.
//
//   npm run build && node bench/fault-injection.mjs            # the full set
//   node bench/fault-injection.mjs --every 10                  # every 10th trial of each phase
//   node bench/fault-injection.mjs --json                      # the figures as JSON
//
// The trials run on a copy of test/go-fixtures/g12 (31 files), one after the other. Timer kills
// use a seeded generator (--seed), so a run is repeatable up to the machine's timing.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from './lib/seeded-random.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'instrument.cjs');
const FIXTURE = join(REPO, 'test', 'go-fixtures', 'g12');

/** The system calls that change the file system (or, for openat, may: only those opened to write count). */
const WRITE_CALLS = ['openat', 'write', 'pwrite64', 'fsync', 'fdatasync', 'fchmod', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'rmdir'];
const ERRORS = ['ENOSPC', 'EIO', 'EROFS'];
/** Our own temporary names, the only files besides .instrument/ that may exist in the middle of a run. */
const TEMPORARY = /(^|\/)\.[^/]+\.instrument-\d+\.tmp$/;

/** Every entry under `dir` (skipping nothing): path → kind, mode and sha256. */
export function snapshot(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const info = lstatSync(path);
      const rel = relative(dir, path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isDirectory()) {
        out.set(rel, `dir ${mode}`);
        walk(path);
      } else if (info.isSymbolicLink()) out.set(rel, `link ${readlinkSync(path)}`);
      else out.set(rel, `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(dir);
  return out;
}

function run(args, cwd, strace) {
  const argv = strace ? ['strace', '-o', '/dev/null', ...strace, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  const result = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** The write-related calls one run makes in `dir`, each as the syscall and its invocation number (strace's `when=`). */
function writePoints(args, dir) {
  const trace = join(tmpdir(), `instrument-trace-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const result = spawnSync('strace', ['-o', trace, '-y', '-e', `trace=${WRITE_CALLS.join(',')}`, process.execPath, BIN, ...args], { cwd: dir, encoding: 'utf8' });
  if (result.error) throw new Error(`strace could not run (${result.error.message}): install it (scripts/setup-machine.sh does)`);
  const counts = new Map();
  const points = [];
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    const match = /^(\w+)\(/.exec(line);
    if (!match) continue;
    const name = match[1];
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    if (!line.includes(dir)) continue;
    if (name === 'openat' && !/O_WRONLY|O_RDWR|O_CREAT/.test(line)) continue;
    points.push({ syscall: name, when: n, line: line.slice(0, 160) });
  }
  rmSync(trace, { force: true });
  return points;
}

function killAfter(args, cwd, ms) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/**
 * Runs the trials and returns the figures. `every` keeps every n-th trial of each phase (the CI
 * part); `onTrial` hears each result.
 */
export async function runFaultInjection({ every = 1, seed = 1, timerKills = 100, recoveryStride = 3, work = mkdtempSync(join(tmpdir(), 'instrument-faults-')), onTrial } = {}) {
  const pristineDir = join(work, 'pristine');
  cpSync(FIXTURE, pristineDir, { recursive: true });
  const pristine = snapshot(pristineDir);
  const referenceDir = join(work, 'reference');
  cpSync(FIXTURE, referenceDir, { recursive: true });
  const applied = run(['apply', '--source', '.'], referenceDir);
  if (applied.code !== 0) throw new Error(`apply on the fixture failed: ${applied.stderr}`);
  const patched = snapshot(referenceDir);
  patched.delete('.instrument');
  for (const key of [...patched.keys()]) if (key.startsWith('.instrument/')) patched.delete(key);

  const figures = { writeCalls: {}, trials: 0, byPhase: {}, corrupted: 0, unrecoverable: 0, leftOver: 0, bugExits: 0, failures: [] };
  let trialNo = 0;
  const fresh = (state) => {
    const dir = join(work, `t${trialNo}`);
    cpSync(FIXTURE, dir, { recursive: true });
    if (state === 'applied' && run(['apply', '--source', '.'], dir).code !== 0) throw new Error('setup apply failed');
    return dir;
  };

  /** Every file whole: each pristine path holds its old or its new bytes; nothing else but ours. */
  const wholeness = (dir) => {
    const now = snapshot(dir);
    const problems = [];
    for (const [path, entry] of pristine) {
      const found = now.get(path);
      if (found === undefined) problems.push(`${path} is missing`);
      else if (found !== entry && found !== patched.get(path)) problems.push(`${path} is neither its old nor its new bytes (${found})`);
    }
    for (const path of now.keys()) {
      if (pristine.has(path) || path === '.instrument' || path.startsWith('.instrument/') || TEMPORARY.test(path)) continue;
      // A file apply creates (the helper file) is whole when it is absent or holds exactly apply's bytes.
      if (!patched.has(path)) problems.push(`${path} should not exist`);
      else if (now.get(path) !== patched.get(path)) problems.push(`${path}, which apply creates, is neither absent nor its new bytes (${now.get(path)})`);
    }
    return problems;
  };

  const finish = (phase, dir, detail, recoveryCommand) => {
    const record = { phase, detail, problems: [], outcome: 'ok' };
    const whole = wholeness(dir);
    if (whole.length > 0) {
      record.outcome = 'corrupted';
      record.problems.push(...whole);
    } else {
      const recovery = run([recoveryCommand, '--source', '.'], dir);
      const final = run(['revert', '--source', '.'], dir);
      if (recovery.code === 3 || final.code === 3) figures.bugExits++;
      if (recovery.code !== 0 || final.code !== 0) {
        record.outcome = 'unrecoverable';
        record.problems.push(`${recoveryCommand}: exit ${recovery.code}: ${recovery.stderr.split('\n')[0]}`, `revert: exit ${final.code}: ${final.stderr.split('\n')[0]}`);
      } else {
        const now = snapshot(dir);
        for (const [path, entry] of pristine) {
          if (now.get(path) !== entry) {
            record.outcome = 'corrupted';
            record.problems.push(`after recovery ${path}: ${now.get(path) ?? 'missing'}, expected ${entry}`);
          }
        }
        const extra = [...now.keys()].filter((p) => !pristine.has(p));
        if (record.outcome === 'ok' && extra.length > 0) {
          record.outcome = 'left-over';
          record.problems.push(...extra.map((p) => `left over: ${p}`));
        }
      }
    }
    figures.trials++;
    figures.byPhase[phase] = (figures.byPhase[phase] ?? 0) + 1;
    if (record.outcome === 'corrupted') figures.corrupted++;
    if (record.outcome === 'unrecoverable') figures.unrecoverable++;
    if (record.outcome === 'left-over') figures.leftOver++;
    if (record.outcome !== 'ok') figures.failures.push(record);
    onTrial?.(record, figures);
    rmSync(dir, { recursive: true, force: true });
  };

  // Every n-th trial of each phase, counted per phase, so a bounded run still covers every phase.
  const seen = new Map();
  const keep = (phase) => {
    const n = seen.get(phase) ?? 0;
    seen.set(phase, n + 1);
    return n % every === 0;
  };
  for (const command of ['apply', 'revert']) {
    const probe = fresh(command === 'apply' ? 'pristine' : 'applied');
    const points = writePoints([command, '--source', '.'], probe);
    figures.writeCalls[command] = points.length;
    rmSync(probe, { recursive: true, force: true });
    points.forEach((point, i) => {
      // A kill at this call, recovered by the next run (apply and revert take turns at recovering).
      if (keep(`kill ${command}`)) {
        trialNo++;
        const dir = fresh(command === 'apply' ? 'pristine' : 'applied');
        const killed = run([command, '--source', '.'], dir, ['-e', `trace=${point.syscall}`, '-e', `inject=${point.syscall}:signal=SIGKILL:when=${point.when}`]);
        finish(`kill during ${command}`, dir, `${point.syscall}#${point.when} (${killed.signal ?? `exit ${killed.code}`})`, trialNo % 2 ? 'apply' : 'revert');
      }
      // A disk error at this call: never exit 3, every file whole, and the tree recoverable.
      ERRORS.forEach((errno) => {
        if (!keep(`${errno} ${command}`)) return;
        trialNo++;
        const dir = fresh(command === 'apply' ? 'pristine' : 'applied');
        const failed = run([command, '--source', '.'], dir, ['-e', `trace=${point.syscall}`, '-e', `inject=${point.syscall}:error=${errno}:when=${point.when}`]);
        if (failed.code === 3 || failed.code === null) {
          figures.bugExits += failed.code === 3 ? 1 : 0;
          figures.failures.push({ phase: `${errno} during ${command}`, detail: `${point.syscall}#${point.when}`, outcome: 'bug exit', problems: [failed.stderr.split('\n').slice(0, 3).join(' | ')] });
        }
        finish(`${errno} during ${command}`, dir, `${point.syscall}#${point.when} (exit ${failed.code})`, 'revert');
      });
      // The recovery run killed as well, at each of its own write-related calls.
      if (i % recoveryStride !== 0) return;
      const killedState = fresh(command === 'apply' ? 'pristine' : 'applied');
      run([command, '--source', '.'], killedState, ['-e', `trace=${point.syscall}`, '-e', `inject=${point.syscall}:signal=SIGKILL:when=${point.when}`]);
      const recoveryCommand = i % 2 ? 'apply' : 'revert';
      const recoveryPoints = writePoints([recoveryCommand, '--source', '.'], (() => {
        const copy = join(work, `probe-${i}`);
        cpSync(killedState, copy, { recursive: true });
        return copy;
      })());
      rmSync(join(work, `probe-${i}`), { recursive: true, force: true });
      recoveryPoints.forEach((recoveryPoint, j) => {
        if (!keep(`recovery ${command}`)) return;
        trialNo++;
        const dir = join(work, `t${trialNo}`);
        cpSync(killedState, dir, { recursive: true });
        run([recoveryCommand, '--source', '.'], dir, ['-e', `trace=${recoveryPoint.syscall}`, '-e', `inject=${recoveryPoint.syscall}:signal=SIGKILL:when=${recoveryPoint.when}`]);
        finish(`kill during the recovery of a killed ${command}`, dir, `${point.syscall}#${point.when}, then ${recoveryCommand} killed at ${recoveryPoint.syscall}#${recoveryPoint.when}`, recoveryCommand);
      });
      rmSync(killedState, { recursive: true, force: true });
    });
  }

  // Random timer kills over each command's running time.
  const next = seededRandom(seed);
  const timing = (command) => {
    const dir = fresh(command === 'apply' ? 'pristine' : 'applied');
    const started = Date.now();
    run([command, '--source', '.'], dir);
    rmSync(dir, { recursive: true, force: true });
    return Date.now() - started;
  };
  const span = { apply: timing('apply'), revert: timing('revert') };
  for (let i = 0; i < timerKills; i++) {
    const command = i % 2 ? 'revert' : 'apply';
    const ms = Math.round(next() * span[command] * 1.1);
    if (!keep(`timer ${command}`)) continue;
    trialNo++;
    const dir = fresh(command === 'apply' ? 'pristine' : 'applied');
    const killed = await killAfter([command, '--source', '.'], dir, ms);
    finish(`timer kill of ${command}`, dir, `after ${ms} ms (${killed.signal ?? `exit ${killed.code}`})`, i % 4 < 2 ? 'apply' : 'revert');
  }
  rmSync(work, { recursive: true, force: true });
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const json = process.argv.includes('--json');
  const started = Date.now();
  const figures = await runFaultInjection({
    every: flag('--every', 1),
    seed: flag('--seed', 1),
    timerKills: flag('--timer-kills', 100),
    onTrial: json ? undefined : (record, f) => {
      if (record.outcome !== 'ok') console.log(`${record.outcome}: ${record.phase}, ${record.detail}\n  ${record.problems.join('\n  ')}`);
      else if (f.trials % 25 === 0) console.log(`${f.trials} trials…`);
    },
  });
  figures.seconds = Math.round((Date.now() - started) / 1000);
  if (json) console.log(JSON.stringify(figures, null, 2));
  else {
    console.log(`\nwrite-related calls: apply ${figures.writeCalls.apply}, revert ${figures.writeCalls.revert}`);
    console.log(`trials ${figures.trials} in ${figures.seconds} s`);
    for (const [phase, n] of Object.entries(figures.byPhase)) console.log(`  ${phase}: ${n}`);
    console.log(`corrupted ${figures.corrupted}, unrecoverable ${figures.unrecoverable}, left-over ${figures.leftOver}, exit 3 ${figures.bugExits}`);
  }
  process.exitCode = figures.corrupted + figures.unrecoverable + figures.leftOver + figures.bugExits === 0 ? 0 : 1;
}
