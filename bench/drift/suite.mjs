// One drift case: copy a fixture shape, apply one kind of change, and see what `instrument apply`
// makes of it (bench/drift/README.md). Outcomes: correct, refused, silent-wrong, broken (applied
// but the patched tree does not build or vet), error (apply exited with another code), invalid (the
// mutation itself broke the unpatched fixture: not counted), n/a (the shape lacks the anchor).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NotApplicable } from './go-text.mjs';
import { addImports, KINDS } from './mutations.mjs';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO, 'test', 'go-fixtures');

/** Every shape of test/go-fixtures: a base module, or a base and its variant patch. */
export const SHAPE_BASES = { g040: null, g05: null, g10: 'g12', g11: 'g12', g12: null, g131: 'g12', gps: 'g15', g14: 'g15', g15: null, lh: null };
export const SHAPES = Object.keys(SHAPE_BASES);

const SCHEDULER = 'pkg/epp/scheduling/scheduler.go';
const SERVER = 'pkg/epp/handlers/server.go';
function targetFiles(shape) {
  const base = SHAPE_BASES[shape] ?? shape;
  const profile = ['g15', 'lh'].includes(base) ? 'pkg/epp/scheduling/scheduler_profile.go' : 'pkg/epp/scheduling/framework/scheduler_profile.go';
  return { profile, scheduler: SCHEDULER, server: SERVER };
}

const GO_ENV = { ...process.env, GOFLAGS: '-mod=mod' };
const REQUESTS = 3;

async function sh(cmd, args, cwd, { env = GO_ENV, allowFail = false } = {}) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (!allowFail && e.code === 'ENOENT') throw e;
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) };
  }
}

function copyShape(shape, dest) {
  const base = SHAPE_BASES[shape];
  cpSync(join(FIXTURES, base ?? shape), dest, { recursive: true });
  return base ? sh('git', ['apply', join(FIXTURES, 'variants', `${shape}.patch`)], dest) : Promise.resolve({ code: 0 });
}

function snapshot(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex') + ' ' + (statSync(p).mode & 0o7777).toString(8));
    }
  };
  walk(dir);
  return out;
}

const sameTree = (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** Vets the module (which compiles every package); drops imports a mutation left unused (as goimports would). */
async function buildAndVet(dir, { fixImports = false } = {}) {
  for (let attempt = 0; ; attempt++) {
    const vet = await sh('go', ['vet', './...'], dir);
    if (vet.code !== 0) {
      const unused = [...vet.stderr.matchAll(/^(?:vet: )?(?:\.\/)?(\S+\.go):(\d+):\d+: "([^"]+)" imported (?:as \w+ )?and not used/gm)];
      if (fixImports && unused.length > 0 && attempt < 3) {
        // vet repeats each error (the compile's and its own): one deletion per line, bottom up
        const places = [...new Set(unused.map(([, file, line]) => `${file}:${line}`))].map((p) => p.split(':'));
        for (const [file, line] of places.sort((a, b) => Number(b[1]) - Number(a[1]))) {
          const path = join(dir, file);
          const lines = readFileSync(path, 'utf8').split('\n');
          lines.splice(Number(line) - 1, 1);
          writeFileSync(path, lines.join('\n'));
        }
        await sh('gofmt', ['-w', '.'], dir);
        continue;
      }
      return `go vet: ${vet.stderr.trim().split('\n').slice(0, 6).join(' | ')}`;
    }
    return unformatted(dir);
  }
}

async function unformatted(dir) {
  const fmt = await sh('gofmt', ['-l', '.'], dir);
  return fmt.stdout.trim() === '' ? null : `gofmt -l lists ${fmt.stdout.trim().split('\n').join(', ')}`;
}

/** Builds the driver into `binary` and runs it with -truth; returns the log lines and the truth. */
async function runDriver(dir, binary, truthFile) {
  const build = await sh('go', ['build', '-o', binary, './cmd/fixture-run'], dir);
  if (build.code !== 0) return { error: `go build driver: ${build.stderr.trim()}` };
  const r = await sh(binary, ['-encoder', 'json', '-requests', String(REQUESTS), '-truth', truthFile], dir);
  if (r.code !== 0) return { error: `driver exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  return { log: r.stdout, truth: JSON.parse(readFileSync(truthFile, 'utf8')) };
}

/** Mutates the shape's target file with the kind; returns the new file's path and the edited files. */
function mutate(dir, shape, kind) {
  const files = targetFiles(shape);
  const path = join(dir, files[kind.file]);
  const before = readFileSync(path, 'utf8');
  const added = [];
  const ctx = {
    shape,
    addFile: (name, text) => {
      const p = join(dirname(path), name);
      writeFileSync(p, text);
      added.push(relative(dir, p));
    },
    /** A new file of the same package holding `code`, with the imports of `src` (unused ones are dropped later). */
    sameImports: (src, code) => {
      const header = src.slice(0, src.indexOf('\n)\n', src.indexOf('import (')) + 3);
      return `${header}\n${code.trim()}\n`;
    },
  };
  const after = addImports(kind.mutate(before, ctx), kind.imports);
  if (after === before) throw new NotApplicable('the edit changed nothing');
  writeFileSync(path, after);
  return { file: files[kind.file], before, after, added };
}

/** The first line where two texts differ (1-based), for the findings' file:line. */
function firstChangedLine(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1;
}

const near = (a, b) => typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9;

/**
 * What the analyzed log says against what the driver recorded: one string per difference, each
 * starting with the point whose lines carry the value.
 */
export function compareWithTruth(truth, analyzed) {
  const diffs = [];
  const byId = new Map(analyzed.requests.map((r) => [r.requestId, r]));
  if (analyzed.requests.length !== truth.requests.length) diffs.push(`scheduler.profile: ${analyzed.requests.length} requests analyzed, ${truth.requests.length} run`);
  for (const t of truth.requests) {
    const id = t.requestId;
    const r = byId.get(id);
    if (!r) {
      diffs.push(`${id}: no lines`);
      continue;
    }
    const names = Object.keys(r.profiles ?? {});
    if (names.length !== 1 || names[0] !== 'default') {
      diffs.push(`scheduler.profile ${id}: profiles ${JSON.stringify(names)}, truth ["default"]`);
      continue;
    }
    const p = r.profiles.default;
    if (p.status !== 'ok' || p.round !== 1) diffs.push(`scheduler.profile ${id}: status ${p.status} round ${p.round}, truth ok round 1`);
    if (JSON.stringify([...(p.candidates ?? [])].sort()) !== JSON.stringify([...(t.candidates ?? [])].sort()))
      diffs.push(`profile.candidates ${id}: logged ${JSON.stringify(p.candidates)}, truth ${JSON.stringify(t.candidates)}`);
    const filters = p.filters ?? [];
    if (filters.length !== t.filters.length) diffs.push(`profile.filters ${id}: ${filters.length} filters logged, truth ${t.filters.length}`);
    let input = t.candidates ?? [];
    t.filters.forEach((tf, i) => {
      const lf = filters[i];
      const removed = input.filter((e) => !tf.kept.includes(e)).sort();
      input = tf.kept;
      if (!lf) return;
      if (lf.filter !== tf.type || lf.name !== tf.name || lf.kept !== tf.kept.length || JSON.stringify([...(lf.removed ?? [])].sort()) !== JSON.stringify(removed))
        diffs.push(`profile.filters ${id} #${i + 1}: logged ${JSON.stringify(lf)}, truth ${JSON.stringify({ filter: tf.type, name: tf.name, kept: tf.kept.length, removed })}`);
    });
    const scorers = p.scorers ?? [];
    if (scorers.length !== t.scorers.length) diffs.push(`profile.scores ${id}: ${scorers.length} scorers logged, truth ${t.scorers.length}`);
    t.scorers.forEach((ts, i) => {
      const ls = scorers[i];
      if (!ls) return;
      if (ls.scorer !== ts.type || ls.name !== ts.name || !near(ls.weight, ts.weight)) diffs.push(`profile.scores ${id} #${i + 1}: logged ${ls.scorer}/${ls.name} weight ${ls.weight}, truth ${ts.type}/${ts.name} weight ${ts.weight}`);
      const keys = new Set([...Object.keys(ls.scores ?? {}), ...Object.keys(ts.scores)]);
      for (const k of keys) if (!near(ls.scores?.[k], ts.scores[k])) diffs.push(`profile.scores ${id} ${ts.name} ${k}: logged ${ls.scores?.[k]}, truth ${ts.scores[k]}`);
    });
    const keys = new Set([...Object.keys(p.totals ?? {}), ...Object.keys(t.totals ?? {})]);
    for (const k of keys) if (!near(p.totals?.[k], t.totals?.[k])) diffs.push(`profile.picked ${id} total ${k}: logged ${p.totals?.[k]}, truth ${t.totals?.[k]}`);
    if (p.picker !== t.picker?.type || p.pickerName !== t.picker?.name) diffs.push(`profile.picked ${id}: picker logged ${p.picker}/${p.pickerName}, truth ${t.picker?.type}/${t.picker?.name}`);
    if (JSON.stringify(p.picked ?? []) !== JSON.stringify(t.picked)) diffs.push(`profile.picked ${id}: picked logged ${JSON.stringify(p.picked)}, truth ${JSON.stringify(t.picked)}`);
    if (r.primaryProfile !== 'default' || r.primarySource !== 'decision') diffs.push(`scheduler.decision ${id}: primary ${r.primaryProfile} (from ${r.primarySource}), truth default (decision line)`);
    // the driver sends every request to /v1/chat/completions for model food-review (test/go-fixtures/README.md)
    if (r.path !== '/v1/chat/completions' || r.incomingModel !== 'food-review' || r.targetModel !== 'food-review')
      diffs.push(`server.request ${id}: logged ${JSON.stringify({ path: r.path, incomingModel: r.incomingModel, targetModel: r.targetModel })}`);
    if (r.envoyEndpoint !== t.endpoint || r.envoyEndpointName !== t.picked[0]) diffs.push(`server.selected ${id}: logged ${r.envoyEndpoint} ${r.envoyEndpointName}, truth ${t.endpoint} ${t.picked[0]}`);
    for (const problem of r.problems ?? []) diffs.push(`analyze ${id}: problem ${problem.kind}: ${problem.detail}`);
  }
  return diffs;
}

/**
 * Runs one case with each built CLI in `instruments` (bin/instrument.cjs of a checkout): the
 * mutated copy is made and checked once, then each engine gets its own copy of it. Returns one
 * result per engine: {shape, kind, outcome, reason, diffs?, file?, line?, dir?}.
 */
export async function runCaseWith({ shape, kind: kindId, instruments, keep = false, afterApply }) {
  const kind = KINDS.find((k) => k.id === kindId);
  if (!kind) throw new Error(`unknown kind ${kindId}`);
  const work = mkdtempSync(join(tmpdir(), `drift-${shape}-${kindId}-`));
  const out = { shape, kind: kind.id };
  let results;
  try {
    const prepared = await prepare(kind, shape, join(work, 'mutated', shape), work);
    Object.assign(out, prepared.where);
    if (prepared.outcome) results = instruments.map(() => ({ ...out, outcome: prepared.outcome, reason: prepared.reason }));
    else {
      results = [];
      for (const [i, instrument] of instruments.entries()) {
        const dir = join(work, `engine-${i}`, shape);
        cpSync(prepared.dir, dir, { recursive: true });
        results.push({ ...out, ...(await judge(dir, join(work, `engine-${i}`), instrument, prepared.truth, afterApply)) });
      }
    }
  } catch (e) {
    results = instruments.map(() => ({ ...out, outcome: 'error', reason: `suite: ${e.stack ?? e}` }));
  }
  if (keep) for (const r of results) r.dir = work;
  else rmSync(work, { recursive: true, force: true });
  return results;
}

/** Runs one case with one engine (see runCaseWith). */
export async function runCase({ instrument, ...rest }) {
  const [result] = await runCaseWith({ ...rest, instruments: [instrument] });
  return result;
}

/** Copies and mutates the shape and checks the mutated copy builds, vets and runs; or says why not. */
async function prepare(kind, shape, dir, work) {
  const copied = await copyShape(shape, dir);
  if (copied.code !== 0) throw new Error(`cannot make ${shape}: ${copied.stderr}`);
  let m;
  try {
    m = mutate(dir, shape, kind);
  } catch (e) {
    if (e instanceof NotApplicable) return { where: {}, outcome: 'n/a', reason: e.message };
    throw e;
  }
  const where = { file: m.file, line: firstChangedLine(m.before, m.after) };
  const fmt = await sh('gofmt', ['-w', '.'], dir);
  if (fmt.code !== 0) return { where, outcome: 'invalid', reason: `gofmt: ${fmt.stderr.trim()}` };
  const broken = await buildAndVet(dir, { fixImports: true });
  if (broken) return { where, outcome: 'invalid', reason: broken };
  const unpatched = await runDriver(dir, join(work, 'unpatched.bin'), join(work, 'unpatched-truth.json'));
  if (unpatched.error) return { where, outcome: 'invalid', reason: unpatched.error };
  return { where, dir, truth: unpatched.truth };
}

/** Applies one engine to the mutated copy in `dir` and classifies what it did. */
async function judge(dir, work, instrument, unpatchedTruth, afterApply) {
  const pristine = snapshot(dir);
  const env = { ...process.env, NO_COLOR: '1' };
  const apply = await sh(process.execPath, [instrument, 'apply', '--source', dir, '--json'], dir, { env, allowFail: true });
  let report;
  try {
    report = JSON.parse(apply.stdout);
  } catch {
    report = undefined;
  }
  if (apply.code === 1) {
    const points = report?.points ?? [];
    const unplaced = points.filter((p) => p.status !== 'placed');
    const unchanged = sameTree(pristine, snapshot(dir));
    if (report?.status === 'failed' && unplaced.length > 0 && unchanged)
      return { outcome: 'refused', reason: unplaced.map((p) => `${p.id} ${p.status}${p.detail ? `: ${p.detail}` : ''}`).join('; ') };
    return { outcome: 'silent-wrong', reason: `exit 1 without a clean refusal (status ${report?.status}, ${unplaced.length} points not placed, tree ${unchanged ? 'unchanged' : 'CHANGED'})` };
  }
  if (apply.code !== 0) return { outcome: 'error', reason: `apply exit ${apply.code}: ${(apply.stderr || apply.stdout).trim().split('\n').slice(0, 4).join(' | ')}` };

  afterApply?.(dir);
  // gofmt is not the compiler: a patch it would reformat is noted, and judged by what it logs
  const note = (await unformatted(dir)) ?? undefined;
  const vet = await sh('go', ['vet', './...'], dir);
  if (vet.code !== 0) return { outcome: 'broken', reason: `go vet: ${vet.stderr.trim().split('\n').slice(0, 6).join(' | ')}`, note };
  const patched = await runDriver(dir, join(work, 'patched.bin'), join(work, 'patched-truth.json'));
  if (patched.error) return { outcome: 'broken', reason: patched.error, note };
  writeFileSync(join(work, 'patched.log'), patched.log);
  const analyze = await sh(process.execPath, [instrument, 'analyze', join(work, 'patched.log'), '--json'], dir, { env, allowFail: true });
  let analyzed;
  try {
    analyzed = JSON.parse(analyze.stdout);
  } catch {
    return { outcome: 'silent-wrong', reason: `analyze exit ${analyze.code} printed no JSON: ${analyze.stderr.trim().slice(0, 300)}` };
  }
  const diffs = compareWithTruth(patched.truth, analyzed);
  // the inserted code must not change what the run computes
  if (JSON.stringify(patched.truth) !== JSON.stringify(unpatchedTruth)) diffs.push('behaviour: the patched run computed something else than the unpatched one');
  if (diffs.length > 0) return { outcome: 'silent-wrong', reason: diffs[0], diffs, note };
  return { outcome: 'correct', note };
}

/** The (shape, kind) pairs to run. */
export function cases({ shapes = SHAPES, kinds = KINDS.map((k) => k.id) } = {}) {
  return shapes.flatMap((shape) => kinds.map((kind) => ({ shape, kind })));
}
