import { Edit as TreeEdit, Language, Parser, Query, type Node, type Tree } from 'web-tree-sitter';
import { ParseError } from '../errors.ts';
import type { Edit } from './edits.ts';
import type { GoNodeKind } from './go-kinds.ts';
import { compileGoWasm } from './go-wasm.ts';
import { lineStart } from './source-text.ts';

let loading: Promise<{ language: Language; parser: Parser }> | undefined;

/** Loads the wasm runtime and the Go grammar once per process. */
export function goLanguage(): Promise<{ language: Language; parser: Parser }> {
  loading ??= (async () => {
    const wasm = compileGoWasm();
    const runtime = await wasm.runtime;
    await Parser.init({
      // Emscripten's hook for supplying the instance. Instantiating a compiled module is quick, and
      // done synchronously a failure rejects Parser.init; the hook has no way to report a late one.
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        const instance = new WebAssembly.Instance(runtime, imports);
        done(instance, runtime);
        return instance.exports;
      },
    });
    const language = Language.loadSync(await wasm.grammar);
    const parser = new Parser();
    parser.setLanguage(language);
    return { language, parser };
  })();
  return loading;
}

export interface ParsedGo {
  /** The source without its byte-order mark; every node offset indexes this string. */
  readonly text: string;
  readonly tree: Tree;
  readonly root: Node;
}

/**
 * Parses Go source and rejects anything with a syntax error, naming the first error's position.
 * `file` is only used in the message.
 */
export async function parseGo(text: string, file: string): Promise<ParsedGo> {
  const { parser } = await goLanguage();
  return checked(parser.parse(text), text, file);
}

/**
 * Parses `text`, which is `previous.text` after `edits`, reusing the parts of `previous.tree` the
 * edits did not touch (tree-sitter's incremental parsing gives the tree a fresh parse would, in a
 * fraction of the time), with parseGo's check. `previous.tree` is edited in place: its nodes must
 * not be read afterwards, and the caller still deletes it.
 */
export async function reparseGo(previous: ParsedGo, edits: readonly Edit[], text: string, file: string): Promise<ParsedGo> {
  const { parser } = await goLanguage();
  // Last edit first, so that each edit's offsets, taken in the original text, still hold.
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    const startPosition = pointAt(previous.text, edit.start);
    const lines = edit.text.split('\n');
    const newEndPosition =
      lines.length === 1
        ? { row: startPosition.row, column: startPosition.column + edit.text.length }
        : { row: startPosition.row + lines.length - 1, column: lines.at(-1)!.length };
    previous.tree.edit(
      new TreeEdit({
        startIndex: edit.start,
        oldEndIndex: edit.end,
        newEndIndex: edit.start + edit.text.length,
        startPosition,
        oldEndPosition: pointAt(previous.text, edit.end),
        newEndPosition,
      }),
    );
  }
  return checked(parser.parse(text, previous.tree), text, file);
}

/** Row and column of an offset, in UTF-16 code units as web-tree-sitter counts them. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: offset - lineStart(text, offset) };
}

/** A parse result, rejected with the first error's position when the text is not valid Go. */
function checked(tree: Tree | null, text: string, file: string): ParsedGo {
  if (tree == null) throw new ParseError(file, 1, 1, 'the Go parser gave up on this file');
  if (tree.rootNode.hasError) {
    const bad = firstError(tree.rootNode) ?? tree.rootNode;
    const what = bad.isMissing ? `missing ${bad.type}` : `syntax error near ${JSON.stringify(bad.text.slice(0, 40))}`;
    const { row, column } = bad.startPosition;
    tree.delete();
    throw new ParseError(file, row + 1, column + 1, what);
  }
  return { text, tree, root: tree.rootNode };
}

function firstError(node: Node): Node | undefined {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child.hasError || child.isError || child.isMissing) {
      const found = firstError(child);
      if (found) return found;
    }
  }
  return undefined;
}

const queryCache = new Map<string, Query>();

/** Compiles (once) and runs a tree-sitter query under `node`. */
export async function queryMatches(source: string, node: Node) {
  const { language } = await goLanguage();
  let query = queryCache.get(source);
  if (!query) {
    query = new Query(language, source);
    queryCache.set(source, query);
  }
  return query.matches(node);
}

/** Narrows a node by its kind; `kind` is checked against the grammar at compile time. */
export function isKind<K extends GoNodeKind>(node: Node | null | undefined, kind: K): node is Node & { readonly type: K } {
  return node != null && node.type === kind;
}

/** Named children of a given kind. */
export function childrenOfKind(node: Node, kind: GoNodeKind): Node[] {
  return node.namedChildren.filter((c): c is Node => c != null && c.type === kind);
}

/** All descendants of a kind (including `node` itself). */
export function descendantsOfKind(node: Node, kind: GoNodeKind): Node[] {
  return node.descendantsOfType(kind).filter((n): n is Node => n != null);
}
