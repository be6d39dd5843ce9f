#!/usr/bin/env node
// Times `instrument apply` and `instrument revert` (the built CLI, as a user runs it) on a generated
// tree of about 2,000 Go files that holds one fixture shape. Usage:
//   npm run build && node bench/apply-revert.mjs [--files 2000] [--runs 15] [--shape g12]
// Reports the median and the slowest run of each, wall time per process.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '2000' }, runs: { type: 'string', default: '15' }, shape: { type: 'string', default: 'g12' } },
});
const repo = new URL('..', import.meta.url).pathname;
const bin = join(repo, 'bin', 'instrument.cjs');
const tree = mkdtempSync(join(tmpdir(), 'instrument-bench-'));
cpSync(join(repo, 'test', 'go-fixtures', values.shape), tree, { recursive: true });

// Filler: packages of ten files each, every file about 6 KB of ordinary Go (the size of an average
// file in GIE), one in twenty mentioning the target types so the text prefilter has work to do.
const fixtureFiles = Number(execFileSync('sh', ['-c', `find '${tree}' -name '*.go' | wc -l`]).toString().trim());
const fillerFiles = Number(values.files) - fixtureFiles;
for (let i = 0; i < fillerFiles; i++) {
  const pkg = `pkg${Math.floor(i / 10)}`;
  const dir = join(tree, 'internal', 'filler', pkg);
  mkdirSync(dir, { recursive: true });
  const funcs = Array.from({ length: 15 }, (_, f) =>
    [
      i % 20 === 0 && f === 0 ? `// Handle${f} is called like (*SchedulerProfile).Run and (*StreamingServer).Process (file ${i}).` : `// Handle${f} sums the inputs it is given (file ${i}).`,
      `func Handle${f}(ctx context.Context, in []string) (map[string]float64, error) {`,
      `\tout := make(map[string]float64, len(in))`,
      `\tfor i, s := range in {`,
      `\t\tout[s] += float64(i) * ${f}.5`,
      `\t}`,
      `\tif len(out) == 0 {`,
      `\t\treturn nil, fmt.Errorf("no input in %s", "Run")`,
      `\t}`,
      `\treturn out, ctx.Err()`,
      `}`,
    ].join('\n'),
  );
  writeFileSync(join(dir, `file${i % 10}.go`), `package ${pkg}\n\nimport (\n\t"context"\n\t"fmt"\n)\n\n${funcs.join('\n\n')}\n`);
}
const goFiles = Number(execFileSync('sh', ['-c', `find '${tree}' -name '*.go' | wc -l`]).toString().trim());

function time(script, args, env = process.env) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [script, ...args], { stdio: 'ignore', env });
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const instrument = (command, env) => time(bin, [command, '--source', tree], env);

// Node 20 reads the certificates named by NODE_EXTRA_CA_CERTS while it starts, before any script
// runs; where the variable is set, the figures are also taken without it to show its share.
const extraCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined;
const withoutCerts = { ...process.env };
delete withoutCerts.NODE_EXTRA_CA_CERTS;

// The series are interleaved, one run of each per round, so that a noisy moment on a shared machine
// falls on all of them alike.
const runs = Number(values.runs);
const series = { apply: [], revert: [], node: [], applyWithoutCerts: [], revertWithoutCerts: [], nodeWithoutCerts: [] };
instrument('apply'); // warm the file cache once, as any second run would find it
instrument('revert');
for (let i = 0; i < runs; i++) {
  series.apply.push(instrument('apply'));
  series.revert.push(instrument('revert'));
  series.node.push(time('-e', ['']));
  if (extraCerts) {
    series.applyWithoutCerts.push(instrument('apply', withoutCerts));
    series.revertWithoutCerts.push(instrument('revert', withoutCerts));
    series.nodeWithoutCerts.push(time('-e', [''], withoutCerts));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const row = (name, xs) => console.log(`${name.padEnd(8)}median ${fmt(median(xs)).padStart(6)}  max ${fmt(Math.max(...xs))}`);
console.log(`tree: ${goFiles} Go files (${values.shape} shape + filler), ${runs} runs each, node ${process.version}`);
row('apply', series.apply);
row('revert', series.revert);
console.log(`target  each under 300 ms median: ${median(series.apply) < 300 && median(series.revert) < 300 ? 'met' : 'NOT met'}`);
row('node', series.node);
console.log("        (`node -e ''`: node starting and exiting, nothing run)");
if (extraCerts) {
  console.log(`\nwithout NODE_EXTRA_CA_CERTS (set here to ${process.env.NODE_EXTRA_CA_CERTS}):`);
  row('apply', series.applyWithoutCerts);
  row('revert', series.revertWithoutCerts);
  row('node', series.nodeWithoutCerts);
}
if (process.env.KEEP_TREE) console.log(`kept ${tree}`); else rmSync(tree, { recursive: true, force: true });
