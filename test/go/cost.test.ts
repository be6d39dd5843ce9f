import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { copyFixture, REPO } from '../helpers/fixtures.ts';
import { go } from '../helpers/go.ts';

/**
 * The cost of the lines per Scheduler.Schedule cycle (issue 11, item 5), from the Go program
 * bench/schedule-cost (see bench/schedule-cost.mjs for the figures with times). Allocations and
 * bytes are deterministic, so they are asserted here; times are not.
 *
 * Three builds of the g12 fixture: upstream as it is, instrumented with the lines on (apply at
 * --verbosity 2, the EPP at --v=2), and instrumented with the lines off (apply at --verbosity 3, the
 * EPP at --v=2).
 */

interface Figures {
  allocsPerCycle: number;
  allocBytesPerCycle: number;
  loggedBytesPerCycle: number;
}

async function buildCopy(root: string, name: string, verbosity: number | undefined): Promise<string> {
  const dir = copyFixture('g12', join(root, name));
  if (verbosity !== undefined) {
    const applied = await cli(['apply', '--source', dir, '--verbosity', String(verbosity)], { cwd: dir });
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
  }
  mkdirSync(join(dir, 'cmd', 'schedule-cost'), { recursive: true });
  cpSync(join(REPO, 'bench', 'schedule-cost', 'main.go'), join(dir, 'cmd', 'schedule-cost', 'main.go'));
  const binary = join(dir, 'schedule-cost.bin');
  await go(dir, ['build', '-o', binary, './cmd/schedule-cost']);
  return binary;
}

/**
 * Upstream's own allocations per cycle vary by about one at 128 endpoints (every map gets its own
 * hash seed), so the cheap measurements average over many cycles.
 */
async function measure(binary: string, endpoints: number, v: number, encoder: string, cycles = 100): Promise<Figures> {
  const { stdout } = await execa(binary, ['-endpoints', String(endpoints), '-v', String(v), '-encoder', encoder, '-cycles', String(cycles)]);
  return JSON.parse(stdout) as Figures;
}

describe('the cost of the lines per scheduling cycle (3 scorers)', () => {
  const binaries: Record<'plain' | 'on' | 'off', string> = { plain: '', on: '', off: '' };
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'instrument-cost-'));
    binaries.plain = await buildCopy(root, 'plain', undefined);
    binaries.on = await buildCopy(root, 'on', 2);
    binaries.off = await buildCopy(root, 'off', 3);
  });

  describe.each(['json', 'console'])('%s encoder', (encoder) => {
    it.each([8, 32, 128])('with %i endpoints: off adds no allocation; on adds at most 1/10 of the allocations and 1/20 of the bytes --v=4 adds', async (endpoints) => {
      const v2 = await measure(binaries.plain, endpoints, 2, encoder, 2000);
      const v4 = await measure(binaries.plain, endpoints, 4, encoder);
      const off = await measure(binaries.off, endpoints, 2, encoder, 2000);
      const on = await measure(binaries.on, endpoints, 2, encoder);
      const upstreamAllocs = v4.allocsPerCycle - v2.allocsPerCycle;
      const upstreamBytes = v4.loggedBytesPerCycle - v2.loggedBytesPerCycle;
      const extraAllocs = on.allocsPerCycle - v2.allocsPerCycle;
      const extraBytes = on.loggedBytesPerCycle - v2.loggedBytesPerCycle;
      console.log(
        JSON.stringify({ encoder, endpoints, v2: v2.allocsPerCycle, v4: v4.allocsPerCycle, off: off.allocsPerCycle, on: on.allocsPerCycle, loggedV4: v4.loggedBytesPerCycle, loggedOn: on.loggedBytesPerCycle }),
      );
      expect(Math.abs(off.allocsPerCycle - v2.allocsPerCycle)).toBeLessThan(0.5);
      expect(off.loggedBytesPerCycle).toBe(v2.loggedBytesPerCycle);
      expect(upstreamAllocs).toBeGreaterThan(0);
      expect(extraAllocs).toBeGreaterThan(0);
      expect(extraAllocs / upstreamAllocs).toBeLessThanOrEqual(1 / 10);
      expect(extraBytes).toBeGreaterThan(0);
      expect(extraBytes / upstreamBytes).toBeLessThanOrEqual(1 / 20);
    });
  });
});
