import type { Node } from 'web-tree-sitter';
import { describe, expect, it } from 'vitest';
import { commitEdits, type Edit } from '../../src/codemod/edits.ts';
import { parseGo, reparseGo } from '../../src/codemod/go-parser.ts';
import { ParseError } from '../../src/errors.ts';

/** Every node with its kind and where it is, in document order. */
function layout(node: Node): string[] {
  const own = `${node.type} ${node.startIndex}-${node.endIndex} ${node.startPosition.row}:${node.startPosition.column}-${node.endPosition.row}:${node.endPosition.column}`;
  return [own, ...node.children.flatMap((child) => (child ? layout(child) : []))];
}

// Non-ASCII text before and inside the edits (two- and three-byte characters, and a surrogate pair),
// so that offsets and columns in UTF-16 code units and in UTF-8 bytes would differ; the mid-line
// edit has statements after it on its line, whose columns the edit shifts.
const SOURCE = [
  'package demo',
  '',
  'import "fmt"',
  '',
  '// Grüße, 日本語 and 🙂 before the edits.',
  'func Greet(name string) string {',
  '\tprefix := "héllo, 🙂 "; empty := "ø"; _ = empty',
  '\treturn prefix + name',
  '}',
  '',
  'func Count(items []string) int {',
  '\ttotal := 0',
  '\tfor range items {',
  '\t\ttotal++',
  '\t}',
  '\treturn total',
  '}',
  '',
].join('\n');

function lineStartOf(text: string, line: string): number {
  const at = text.indexOf(line);
  if (at === -1) throw new Error(`no line ${line}`);
  return at;
}

describe('reparseGo', () => {
  it('gives the tree a fresh parse gives, after insertions, a replacement and a mid-line edit', async () => {
    const edits: Edit[] = [
      { start: lineStartOf(SOURCE, '\treturn prefix'), end: lineStartOf(SOURCE, '\treturn prefix'), text: '\t// instrument: «inserted» 🙂\n\tfmt.Println(prefix)\n' },
      { start: lineStartOf(SOURCE, '\ttotal := 0'), end: lineStartOf(SOURCE, '\ttotal := 0') + '\ttotal := 0'.length, text: '\ttotal := len("día")' },
      { start: SOURCE.indexOf('🙂 "') + 2, end: SOURCE.indexOf('🙂 "') + 2, text: ' ünïcode' },
      { start: lineStartOf(SOURCE, '\treturn total'), end: lineStartOf(SOURCE, '\treturn total'), text: '\tif total > 0 {\n\t\ttotal--\n\t}\n' },
    ];
    const patched = commitEdits(SOURCE, edits);
    const fresh = await parseGo(patched, 'demo.go');
    const original = await parseGo(SOURCE, 'demo.go');
    const reparsed = await reparseGo(original, edits, patched, 'demo.go');
    try {
      expect(reparsed.root.toString()).toBe(fresh.root.toString());
      expect(layout(reparsed.root)).toEqual(layout(fresh.root));
    } finally {
      for (const tree of [fresh.tree, original.tree, reparsed.tree]) tree.delete();
    }
  });

  it('rejects an edit that breaks the syntax, naming the line and column', async () => {
    const at = lineStartOf(SOURCE, '\treturn total');
    const edits: Edit[] = [{ start: at, end: at, text: '\tif total > 0 {\n' }];
    const original = await parseGo(SOURCE, 'demo.go');
    try {
      const failure = await reparseGo(original, edits, commitEdits(SOURCE, edits), 'demo.go').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ParseError);
      expect(String((failure as ParseError).message)).toMatch(/^demo\.go:\d+:\d+/);
    } finally {
      original.tree.delete();
    }
  });
});
