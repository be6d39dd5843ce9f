import { describe, expect, it } from 'vitest';
import { colourStyle, colourWanted } from '../../src/reporters/colour.ts';
import { colourDiff, plainStyle } from '../../src/reporters/text.ts';

describe('when instrument colours its output', () => {
  it.each([
    // --color, environment, stdout is a terminal → colour
    ['auto', {}, true, true],
    ['auto', {}, false, false],
    ['auto', { NO_COLOR: '1' }, true, false],
    ['auto', { NO_COLOR: '' }, true, true], // no-color.org: empty is unset
    ['auto', { FORCE_COLOR: '1' }, false, true],
    ['auto', { FORCE_COLOR: '0' }, false, true], // force-color.org: any non-empty value
    ['auto', { FORCE_COLOR: '' }, false, false],
    ['auto', { FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    ['auto', { TERM: 'dumb' }, true, false],
    ['always', { NO_COLOR: '1' }, false, true],
    ['never', { FORCE_COLOR: '1' }, true, false],
  ] as const)('--color %s with %j, terminal %s: %s', (when, env, terminal, expected) => {
    expect(colourWanted(when, env, terminal)).toBe(expected);
  });

  it('uses picocolors when it colours, and plain text otherwise', () => {
    expect(colourStyle(false)).toBe(plainStyle);
    const style = colourStyle(true);
    expect(style.ok('x')).toBe('\x1b[32mx\x1b[39m');
    expect(style.bad('x')).toBe('\x1b[31mx\x1b[39m');
    expect(style.info('x')).toBe('\x1b[36mx\x1b[39m');
  });

  it('colours a diff as git does: headers bold, hunks cyan, + green, - red, context plain', () => {
    const diff = '--- a/x.go\n+++ b/x.go\n@@ -1,2 +1,2 @@ p\n context\n-old\n+new\n';
    expect(colourDiff(diff, plainStyle)).toBe(diff);
    expect(colourDiff(diff, colourStyle(true))).toBe(
      '\x1b[1m--- a/x.go\x1b[22m\n\x1b[1m+++ b/x.go\x1b[22m\n\x1b[36m@@ -1,2 +1,2 @@ p\x1b[39m\n context\n\x1b[31m-old\x1b[39m\n\x1b[32m+new\x1b[39m\n',
    );
  });
});
