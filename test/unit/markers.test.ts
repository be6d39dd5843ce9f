import { describe, expect, it } from 'vitest';
import { commitEdits } from '../../src/codemod/edits.ts';
import { appendBlock, removeRanges, renderBlock, scanMarkers } from '../../src/codemod/markers.ts';
import { decodeSource, encodeSource } from '../../src/codemod/source-text.ts';
import { fillTemplate } from '../../src/codemod/template.ts';

const GO = 'func f() {\n\ta := 1\n\tb := 2\n}\n';

describe('markers', () => {
  it('renders a block that scans back intact and removes to the original', () => {
    const block = renderBlock('profile.scores', ['x := 1', 'if x > 0 {', '\tx++', '}'], '\t', '\n');
    const patched = commitEdits(GO, [{ start: GO.indexOf('\tb'), end: GO.indexOf('\tb'), text: block }]);
    const scan = scanMarkers(patched);
    expect(scan.problems).toEqual([]);
    expect(scan.blocks).toHaveLength(1);
    expect(scan.blocks[0]).toMatchObject({ pointId: 'profile.scores', beginLine: 3, endLine: 8, intact: true });
    expect(patched.split('\n')[2]).toMatch(/^\t\/\/ instrument:begin profile\.scores [0-9a-f]{12}$/);
    expect(removeRanges(patched, scan.blocks)).toBe(GO);
  });

  it('tells an edited block from an intact one', () => {
    const patched = renderBlock('server.request', ['a()', 'b()'], '', '\n');
    const edited = patched.replace('b()', 'c()');
    expect(scanMarkers(patched).blocks[0]!.intact).toBe(true);
    expect(scanMarkers(edited).blocks[0]!.intact).toBe(false);
  });

  it('reports unpaired, mismatched and mangled markers with their lines', () => {
    const text = [
      '// instrument:begin profile.scores 000000000000',
      'x',
      '// instrument:end profile.picked',
      '// instrument:end server.request',
      '// instrument:begin  profile.candidates 000000000000',
    ].join('\n');
    const scan = scanMarkers(text);
    expect(scan.blocks).toEqual([]);
    expect(scan.problems.map((p) => p.line)).toEqual([1, 3, 4, 5]);
    expect(scan.problems[3]!.problem).toMatch(/looks like an instrument marker/);
  });

  it('matches markers as whole lines only', () => {
    const text = 'x := "// instrument:begin profile.scores 000000000000"\n';
    expect(scanMarkers(text).blocks).toEqual([]);
    expect(scanMarkers(text).problems).toHaveLength(1);
  });

  it('keeps CRLF line endings and hashes them like LF', () => {
    const crlf = renderBlock('profile.picked', ['a()'], '\t', '\r\n');
    const lf = renderBlock('profile.picked', ['a()'], '\t', '\n');
    expect(crlf).toBe(lf.replaceAll('\n', '\r\n'));
    expect(scanMarkers(crlf).blocks[0]!.intact).toBe(true);
  });

  it('appends to a file without a final newline and removes back to it', () => {
    for (const original of ['module x\n\ngo 1.24', 'module x\r\n\r\ngo 1.24', 'module x\n']) {
      const eol = original.includes('\r\n') ? '\r\n' : '\n';
      const patched = appendBlock(original, renderBlock('workspace.replace', ['replace a => ./b'], '', eol), eol);
      const scan = scanMarkers(patched);
      expect(scan.blocks).toHaveLength(1);
      expect(removeRanges(patched, scan.blocks)).toBe(original);
    }
  });
});

describe('commitEdits', () => {
  it('gives the same result whatever the order of the edits', () => {
    const edits = [
      { start: 0, end: 0, text: 'A' },
      { start: 5, end: 6, text: 'B' },
      { start: GO.length, end: GO.length, text: 'C' },
    ];
    expect(commitEdits(GO, edits)).toBe(commitEdits(GO, [...edits].reverse()));
    expect(commitEdits(GO, edits)).toBe('A' + GO.slice(0, 5) + 'B' + GO.slice(6) + 'C');
  });

  it('rejects overlapping edits and two insertions at one offset', () => {
    expect(() => commitEdits(GO, [{ start: 1, end: 4, text: '' }, { start: 3, end: 5, text: '' }])).toThrow(/overlapping/);
    expect(() => commitEdits(GO, [{ start: 2, end: 2, text: 'a' }, { start: 2, end: 2, text: 'b' }])).toThrow(/overlapping/);
  });
});

describe('fillTemplate', () => {
  it('turns two-space steps into tabs and fills placeholders', () => {
    expect(fillTemplate('\nif {{x}} {\n  y({{x}})\n}', { x: 'ok' })).toEqual(['if ok {', '\ty(ok)', '}']);
  });

  it('refuses a placeholder without a value', () => {
    expect(() => fillTemplate('{{nope}}', {})).toThrow(/nope/);
  });
});

describe('decodeSource', () => {
  it('keeps the byte-order mark and the line ending', () => {
    const bytes = Buffer.from('\uFEFFpackage x\r\n\r\nfunc f() {}\r\n', 'utf8');
    const source = decodeSource(bytes)!;
    expect(source.bom).toBe(true);
    expect(source.eol).toBe('\r\n');
    expect(source.text.startsWith('package')).toBe(true);
    expect(encodeSource(source, source.text).equals(bytes)).toBe(true);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(decodeSource(Buffer.from([0x70, 0x61, 0xff, 0x0a]))).toBeUndefined();
  });
});
