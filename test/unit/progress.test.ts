import { describe, expect, it } from 'vitest';
import { gitProgressDisplay, outputDisplay } from '../../src/reporters/progress.ts';

describe('the build output display', () => {
  it('passes every line through when stderr is not a terminal', () => {
    let out = '';
    const display = outputDisplay((t) => (out += t), false, 80);
    display.line('Step 1/2 : FROM x');
    display.line(' ---> abc');
    display.end();
    expect(out).toBe('Step 1/2 : FROM x\n ---> abc\n');
  });

  it('rewrites one status line on a terminal, naming the current step, and clears it at the end', () => {
    let out = '';
    const display = outputDisplay((t) => (out += t), true, 40);
    display.line('Step 3/15 : RUN go build -o bin/epp cmd/epp/main.go');
    display.line('go: downloading go.uber.org/zap v1.27.1');
    display.end();
    const frames = out.split('\r\x1b[K');
    expect(frames[1]).toBe('building, step 3/15: RUN go build -o bin'.slice(0, 39));
    expect(frames[2]).toMatch(/^building, step 3\/15: /);
    expect(frames[2]!.length).toBeLessThanOrEqual(39);
    expect(frames.at(-1)).toBe('');
    expect(out).not.toContain('\n');
  });
});

describe('the git progress display', () => {
  it('rewrites one status line on a terminal and clears it at the end', () => {
    let out = '';
    const display = gitProgressDisplay((t) => (out += t), true, 80);
    display.onProgress!({ method: 'clone', stage: 'receiving', progress: 45, processed: 1234, total: 2741 });
    display.onProgress!({ method: 'clone', stage: 'resolving', progress: 100, processed: 900, total: 900 });
    display.end();
    expect(out.split('\r\x1b[K')).toEqual(['', 'git clone: receiving 45% (1234/2741)', 'git clone: resolving 100% (900/900)', '']);
  });

  it('asks for no progress when stderr is not a terminal', () => {
    let out = '';
    const display = gitProgressDisplay((t) => (out += t), false, 80);
    expect(display.onProgress).toBeUndefined();
    display.end();
    expect(out).toBe('');
  });
});
