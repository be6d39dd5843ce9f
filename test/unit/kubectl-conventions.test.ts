import { describe, expect, it } from 'vitest';
import { checkDuration, formatDuration, parseGoDuration } from '../../src/build/duration.ts';
import { checkLabelSelector } from '../../src/build/names.ts';

describe('label selectors', () => {
  it.each([
    'role=proxy',
    'role==proxy',
    'role!=decode',
    'role in (decode,both)',
    'role in (decode, both)',
    'env notin (a)',
    '!canary',
    'x',
    'role=proxy, env notin (a,b),!canary',
    'app.kubernetes.io/name=vllm',
    'tier=',
    'gpus > 3',
  ])('accepts %s, as kubectl does', (selector) => {
    expect(checkLabelSelector(selector, '--pod-selector')).toBe(selector);
  });

  it.each([
    ['role in (a,b', 'not closed with ")"'],
    ['role=a b', 'unexpected "b"'],
    ['role in ()', 'is empty'],
    ['', 'it is empty'],
    ['a,,b', 'a key is missing at character 3'],
    ['Bad_Prefix/x=y', 'key prefix "Bad_Prefix" is not a DNS subdomain'],
    ['role in decode', 'must be followed by a list in parentheses'],
    ['gpus > many', 'needs a whole number'],
    ['role=-x', '"-x" is not a label value'],
  ])('rejects %s, saying why', (selector, why) => {
    expect(() => checkLabelSelector(selector, '--pod-selector')).toThrow(why);
  });
});

describe('Go durations', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['300ms', 300],
    ['1.5h', 5_400_000],
    ['2h45m30.5s', 9_930_500],
    ['90s', 90_000],
    ['0', 0],
  ])('reads %s as Go does', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['5', '5 m', 'm', '1d', '-5m', '', '1h 30m', 'ten minutes'])('does not take %s', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it('wants a duration above zero for flags, and rounds up to whole milliseconds', () => {
    expect(() => checkDuration('0', '--timeout')).toThrow('--timeout "0": expected a duration above 0');
    expect(() => checkDuration('300', '--timeout')).toThrow('like 300ms, 30s, 5m or 1h30m');
    expect(checkDuration('1500us', '--timeout')).toBe(2);
  });

  it('writes durations back in the shortest form kubectl reads', () => {
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(61_000)).toBe('1m1s');
    expect(formatDuration(0)).toBe('0s');
  });
});
