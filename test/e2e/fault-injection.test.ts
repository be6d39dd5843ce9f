import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script (bench/), run by node directly as well
import { runFaultInjection } from '../../bench/fault-injection.mjs';

interface Figures {
  trials: number;
  byPhase: Record<string, number>;
  writeCalls: Record<string, number>;
  corrupted: number;
  unrecoverable: number;
  leftOver: number;
  bugExits: number;
  failures: unknown[];
}

describe('fault injection (the bounded CI part of bench/fault-injection.mjs)', () => {
  it('kills and disk errors at write-related system calls of apply, revert and their recovery, and timer kills, lose nothing', async () => {
    // No skipping: without strace this test fails and says how to get it.
    expect(() => execFileSync('strace', ['-V']), 'strace is needed: run scripts/setup-machine.sh').not.toThrow();
    const figures = (await runFaultInjection({ every: 10, timerKills: 30, recoveryStride: 6 })) as Figures;
    expect(figures.failures).toEqual([]);
    expect(figures.writeCalls.apply).toBeGreaterThan(20);
    expect(figures.writeCalls.revert).toBeGreaterThan(15);
    for (const phase of ['kill during apply', 'kill during revert', 'ENOSPC during apply', 'EIO during revert', 'EROFS during apply', 'kill during the recovery of a killed apply', 'kill during the recovery of a killed revert', 'timer kill of apply', 'timer kill of revert']) {
      expect(figures.byPhase[phase], phase).toBeGreaterThan(0);
    }
    expect(figures.trials).toBeGreaterThanOrEqual(50);
    expect({ corrupted: figures.corrupted, unrecoverable: figures.unrecoverable, leftOver: figures.leftOver, bugExits: figures.bugExits }).toEqual({ corrupted: 0, unrecoverable: 0, leftOver: 0, bugExits: 0 });
  });
});
