#!/usr/bin/env node
// The cost of instrument's lines per Scheduler.Schedule cycle (3 scorers; 8, 32, 128 endpoints),
// on the g12 fixture, with the EPP's controller-runtime zap logger (production JSON and
// development console): upstream at --v=2 and --v=4, instrumented with the lines off (apply
// --verbosity 3, EPP --v=2) and on (apply --verbosity 2, EPP --v=2). Usage:
//   npm run build && node bench/schedule-cost.mjs [--cycles 200]
// Prints allocations, bytes allocated, bytes logged and time per cycle, and the ratios the issue
// sets (off: 0 extra allocations; on: extra allocations <= 1/10 and extra bytes logged <= 1/20 of
// what --v=4 adds over --v=2). test/go/cost.test.ts asserts the same allocation and byte figures.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '200' } } });
const repo = new URL('..', import.meta.url).pathname;
const bin = join(repo, 'bin', 'instrument.cjs');
const root = mkdtempSync(join(tmpdir(), 'instrument-cost-'));

function build(name, verbosity) {
  const dir = join(root, name);
  cpSync(join(repo, 'test', 'go-fixtures', 'g12'), dir, { recursive: true });
  if (verbosity !== undefined) execFileSync('node', [bin, 'apply', '--source', dir, '--verbosity', String(verbosity)], { stdio: 'ignore' });
  mkdirSync(join(dir, 'cmd', 'schedule-cost'), { recursive: true });
  cpSync(join(repo, 'bench', 'schedule-cost', 'main.go'), join(dir, 'cmd', 'schedule-cost', 'main.go'));
  const binary = join(dir, 'schedule-cost.bin');
  execFileSync('go', ['build', '-o', binary, './cmd/schedule-cost'], { cwd: dir, stdio: 'inherit' });
  return binary;
}

function measure(binary, endpoints, v, encoder, cycles) {
  const out = execFileSync(binary, ['-endpoints', String(endpoints), '-v', String(v), '-encoder', encoder, '-cycles', String(cycles)]);
  return JSON.parse(out.toString());
}

try {
  const plain = build('plain');
  const on = build('on', 2);
  const off = build('off', 3);
  const cycles = Number(values.cycles);
  const rows = [];
  for (const encoder of ['json', 'console']) {
    for (const endpoints of [8, 32, 128]) {
      const v2 = measure(plain, endpoints, 2, encoder, cycles * 10);
      const v4 = measure(plain, endpoints, 4, encoder, cycles);
      const o = measure(off, endpoints, 2, encoder, cycles * 10);
      const n = measure(on, endpoints, 2, encoder, cycles);
      const f = (x, d = 1) => x.toFixed(d);
      rows.push([
        encoder, endpoints,
        f(v2.allocsPerCycle), f(v4.allocsPerCycle), f(o.allocsPerCycle), f(n.allocsPerCycle),
        f(v2.loggedBytesPerCycle, 0), f(v4.loggedBytesPerCycle, 0), f(n.loggedBytesPerCycle, 0),
        f(o.allocsPerCycle - v2.allocsPerCycle, 2),
        f((n.allocsPerCycle - v2.allocsPerCycle) / (v4.allocsPerCycle - v2.allocsPerCycle), 3),
        f((n.loggedBytesPerCycle - v2.loggedBytesPerCycle) / (v4.loggedBytesPerCycle - v2.loggedBytesPerCycle), 3),
        f(v2.nsPerCycle / 1000), f(v4.nsPerCycle / 1000), f(o.nsPerCycle / 1000), f(n.nsPerCycle / 1000),
      ]);
    }
  }
  const header = ['encoder', 'endpoints', 'allocs v2', 'allocs v4', 'allocs off', 'allocs on', 'logged B v2', 'logged B v4', 'logged B on',
    'off extra allocs', 'on allocs ratio (<=0.1)', 'on bytes ratio (<=0.05)', 'us v2', 'us v4', 'us off', 'us on'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
