#!/usr/bin/env node
// The drift suite: every kind of change (bench/drift/mutations.mjs) on every fixture shape, each
// classified correct, refused or silent wrong (bench/drift/README.md). Prints a table of counts
// per shape and kind; exits 1 when any case is silent wrong, broken or an error.
//
//   node bench/drift.mjs [--shape g12,lh] [--kind rename-totals,...] [--jobs 2] [--json]
//                        [--findings FILE] [--results FILE.jsonl] [--keep] [--verbose] [--instrument bin/instrument.cjs[,other/bin/instrument.cjs]]
//
// With several --instrument CLIs, each mutated copy is made and checked once and every engine gets
// its own copy: one table and one set of counts per engine.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KINDS } from './drift/mutations.mjs';
import { cases, REPO, runCaseWith, SHAPES } from './drift/suite.mjs';

const { values: opts } = parseArgs({
  options: {
    shape: { type: 'string' },
    kind: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    findings: { type: 'string' },
    results: { type: 'string' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    instrument: { type: 'string', default: resolve(REPO, 'bin/instrument.cjs') },
  },
});

const list = (v, all, what) => {
  if (!v) return all;
  const picked = v.split(',');
  for (const x of picked) if (!all.includes(x)) throw new Error(`unknown ${what} ${x} (one of ${all.join(', ')})`);
  return picked;
};
const shapes = list(opts.shape, SHAPES, 'shape');
const kinds = list(opts.kind, KINDS.map((k) => k.id), 'kind');
const instruments = opts.instrument.split(',').map((p) => resolve(p));
for (const instrument of instruments) if (!existsSync(instrument) || !existsSync(resolve(instrument, '../../dist/cli'))) throw new Error(`${instrument}: not built (npm run build)`);

// --results: each case is appended as it ends, and the cases already there are not run again
const results = [];
const engineOf = (instrument) => instruments.indexOf(instrument);
if (opts.results && existsSync(opts.results))
  for (const line of readFileSync(opts.results, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    if (engineOf(r.instrument) >= 0 && shapes.includes(r.shape) && kinds.includes(r.kind)) results.push({ ...r, engine: engineOf(r.instrument) });
  }
const finished = new Set(results.map((r) => `${r.shape} ${r.kind}`));
// kind by kind, so that a run cut short has seen every shape
const todo = cases({ shapes, kinds })
  .sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || shapes.indexOf(a.shape) - shapes.indexOf(b.shape))
  .filter((c) => !finished.has(`${c.shape} ${c.kind}`));
let next = 0;
let done = 0;
const started = Date.now();
async function worker() {
  while (next < todo.length) {
    const c = todo[next++];
    const rs = await runCaseWith({ ...c, instruments, keep: opts.keep });
    done++;
    rs.forEach((r, engine) => {
      results.push({ ...r, engine });
      if (opts.results) appendFileSync(opts.results, JSON.stringify({ ...r, instrument: instruments[engine] }) + '\n');
      if (opts.verbose || ['silent-wrong', 'broken', 'error'].includes(r.outcome))
        process.stderr.write(`${done}/${todo.length} ${r.shape} ${r.kind}${instruments.length > 1 ? ` [engine ${engine}]` : ''}: ${r.outcome}${r.reason ? ` (${r.reason.slice(0, 400)})` : ''}${r.dir ? ` [${r.dir}]` : ''}\n`);
    });
  }
}
await Promise.all(Array.from({ length: Number(opts.jobs) }, worker));

const OUTCOMES = ['correct', 'refused', 'silent-wrong', 'broken', 'error', 'invalid', 'n/a'];
const BAD = ['silent-wrong', 'broken', 'error'];
const count = (rs) => Object.fromEntries(OUTCOMES.map((o) => [o, rs.filter((r) => r.outcome === o).length]));
results.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || shapes.indexOf(a.shape) - shapes.indexOf(b.shape));
const seconds = Math.round((Date.now() - started) / 1000);
const engines = instruments.map((instrument, engine) => {
  const rs = results.filter((r) => r.engine === engine);
  return {
    instrument,
    totals: count(rs),
    byShape: Object.fromEntries(shapes.map((s) => [s, count(rs.filter((r) => r.shape === s))])),
    byKind: Object.fromEntries(kinds.map((k) => [k, count(rs.filter((r) => r.kind === k))])),
    cases: rs,
  };
});

if (opts.findings) {
  const lines = ['# Drift suite findings', '', `${new Date().toISOString()}, ${todo.length} cases (${shapes.length} shapes x ${kinds.length} kinds), ${seconds} s`, ''];
  for (const e of engines) {
    lines.push(`## engine ${e.instrument}`, '', `totals: ${OUTCOMES.map((o) => `${o} ${e.totals[o]}`).join(', ')}`, '');
    for (const r of e.cases.filter((r) => BAD.includes(r.outcome))) {
      lines.push(`### ${r.kind} on ${r.shape}: ${r.outcome}`, '', `- change: ${KINDS.find((k) => k.id === r.kind).about} (first changed line ${r.file}:${r.line} of the mutated copy; \`node bench/drift.mjs --shape ${r.shape} --kind ${r.kind} --keep\` to see it)`, `- ${r.reason}`);
      for (const d of (r.diffs ?? []).slice(1, 8)) lines.push(`- ${d}`);
      if (r.note) lines.push(`- also: ${r.note}`);
      lines.push('');
    }
    const noted = e.cases.filter((r) => r.note && !BAD.includes(r.outcome));
    if (noted.length > 0) lines.push('### patched but not gofmt-clean', '', ...noted.map((r) => `- ${r.kind} on ${r.shape} (${r.outcome}): ${r.note}`), '');
  }
  writeFileSync(opts.findings, lines.join('\n'));
}

if (opts.json) console.log(JSON.stringify({ seconds, engines }, null, 2));
else {
  const short = { correct: 'ok', refused: 'ref', 'silent-wrong': 'WRONG', broken: 'BROKEN', error: 'ERR', invalid: 'inv', 'n/a': '-' };
  const width = Math.max(...kinds.map((k) => k.length));
  for (const e of engines) {
    console.log(`engine ${e.instrument}`);
    console.log(['kind'.padEnd(width), ...shapes.map((s) => s.padStart(6))].join(' '));
    for (const k of kinds) console.log([k.padEnd(width), ...shapes.map((s) => short[e.cases.find((r) => r.kind === k && r.shape === s)?.outcome] ?? '').map((c) => c.padStart(6))].join(' '));
    console.log();
    for (const s of shapes) console.log(`${s.padEnd(5)} ${OUTCOMES.map((o) => `${o} ${e.byShape[s][o]}`).join(', ')}`);
    console.log(`all   ${OUTCOMES.map((o) => `${o} ${e.totals[o]}`).join(', ')}   (${kinds.length} kinds, ${seconds} s)\n`);
    if (opts.verbose) for (const r of e.cases.filter((r) => r.outcome === 'invalid' || r.outcome === 'n/a')) console.log(`${r.outcome} ${r.shape} ${r.kind}: ${r.reason}`);
  }
}
process.exitCode = results.some((r) => BAD.includes(r.outcome)) ? 1 : 0;
