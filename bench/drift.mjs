#!/usr/bin/env node
// The drift suite: every kind of change (bench/drift/mutations.mjs) on every fixture shape, each
// classified correct, refused or silent wrong (bench/drift/README.md). Prints a table of counts
// per shape and kind; exits 1 when any case is silent wrong, broken or an error.
//
//   node bench/drift.mjs [--shape g12,lh] [--kind rename-totals,...] [--jobs 2] [--json]
//                        [--findings FILE] [--keep] [--verbose] [--instrument bin/instrument.cjs]

import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KINDS } from './drift/mutations.mjs';
import { cases, REPO, runCase, SHAPES } from './drift/suite.mjs';

const { values: opts } = parseArgs({
  options: {
    shape: { type: 'string' },
    kind: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    findings: { type: 'string' },
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
const instrument = resolve(opts.instrument);
if (!existsSync(instrument) || !existsSync(resolve(instrument, '../../dist/cli'))) throw new Error(`${instrument}: not built (npm run build)`);

const todo = cases({ shapes, kinds });
const results = [];
let next = 0;
const started = Date.now();
async function worker() {
  while (next < todo.length) {
    const c = todo[next++];
    const r = await runCase({ ...c, instrument, keep: opts.keep });
    results.push(r);
    if (opts.verbose || ['silent-wrong', 'broken', 'error'].includes(r.outcome))
      process.stderr.write(`${results.length}/${todo.length} ${r.shape} ${r.kind}: ${r.outcome}${r.reason ? ` (${r.reason.slice(0, 400)})` : ''}${r.dir ? ` [${r.dir}]` : ''}\n`);
  }
}
await Promise.all(Array.from({ length: Number(opts.jobs) }, worker));

const OUTCOMES = ['correct', 'refused', 'silent-wrong', 'broken', 'error', 'invalid', 'n/a'];
const count = (rs) => Object.fromEntries(OUTCOMES.map((o) => [o, rs.filter((r) => r.outcome === o).length]));
const order = (rs) => rs.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || shapes.indexOf(a.shape) - shapes.indexOf(b.shape));
order(results);
const summary = {
  instrument,
  seconds: Math.round((Date.now() - started) / 1000),
  totals: count(results),
  byShape: Object.fromEntries(shapes.map((s) => [s, count(results.filter((r) => r.shape === s))])),
  byKind: Object.fromEntries(kinds.map((k) => [k, count(results.filter((r) => r.kind === k))])),
  cases: results,
};

const bad = results.filter((r) => ['silent-wrong', 'broken', 'error'].includes(r.outcome));
if (opts.findings) {
  const lines = [`# Drift suite findings`, '', `engine: ${instrument}; ${new Date().toISOString()}; totals ${JSON.stringify(summary.totals)}`, ''];
  for (const r of bad) {
    lines.push(`## ${r.kind} on ${r.shape}: ${r.outcome}`, '', `- change: ${KINDS.find((k) => k.id === r.kind).about} (${r.file}:${r.line} of the mutated copy)`, `- ${r.reason}`);
    for (const d of (r.diffs ?? []).slice(1, 8)) lines.push(`- ${d}`);
    lines.push('');
  }
  writeFileSync(opts.findings, lines.join('\n'));
}

if (opts.json) console.log(JSON.stringify(summary, null, 2));
else {
  const short = { correct: 'ok', refused: 'ref', 'silent-wrong': 'WRONG', broken: 'BROKEN', error: 'ERR', invalid: 'inv', 'n/a': '-' };
  const cell = (r) => (r ? short[r.outcome] : '');
  const width = Math.max(...kinds.map((k) => k.length));
  console.log(['kind'.padEnd(width), ...shapes.map((s) => s.padStart(6))].join(' '));
  for (const k of kinds) console.log([k.padEnd(width), ...shapes.map((s) => cell(results.find((r) => r.kind === k && r.shape === s)).padStart(6))].join(' '));
  console.log();
  for (const s of shapes) console.log(`${s.padEnd(5)} ${OUTCOMES.map((o) => `${o} ${summary.byShape[s][o]}`).join(', ')}`);
  console.log(`all   ${OUTCOMES.map((o) => `${o} ${summary.totals[o]}`).join(', ')}   (${kinds.length} kinds, ${summary.seconds} s)`);
  for (const r of results.filter((r) => r.outcome === 'invalid' || r.outcome === 'n/a')) if (opts.verbose) console.log(`${r.outcome} ${r.shape} ${r.kind}: ${r.reason}`);
}
process.exitCode = bad.length > 0 ? 1 : 0;
