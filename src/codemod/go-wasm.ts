import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.ts';

/** The two WebAssembly modules the Go parser needs, compiling. */
export interface GoWasm {
  /** web-tree-sitter's runtime. */
  readonly runtime: Promise<WebAssembly.Module>;
  /** The Go grammar. */
  readonly grammar: Promise<WebAssembly.Module>;
}

let compiling: GoWasm | undefined;

/**
 * web-tree-sitter's runtime, which must come from the same release as its JavaScript. The bundled
 * command line carries that JavaScript inside its chunks and ships the matching wasm beside them
 * (rolldown.config.mjs), which also spares it resolving a package at start-up; the tests load the
 * package from node_modules, so they take its own file.
 */
function runtimeWasmPath(): string {
  const beside = join(dirname(fileURLToPath(import.meta.url)), 'web-tree-sitter.wasm');
  if (existsSync(beside)) return beside;
  return join(dirname(createRequire(import.meta.url).resolve('web-tree-sitter')), 'web-tree-sitter.wasm');
}

/**
 * Starts compiling the parser's WebAssembly on V8's background threads and returns at once; the
 * first call decides when. Commands that parse Go call it before loading anything else, so the
 * compiling overlaps the loading of the engine and the search of the tree (src/start/main.ts
 * makes it compile every function up front instead of each on its first call, on the main thread).
 */
export function compileGoWasm(): GoWasm {
  compiling ??= (() => {
    const runtimeBytes = readFileSync(runtimeWasmPath());
    const grammarBytes = readFileSync(join(PACKAGE_ROOT, 'grammars', 'tree-sitter-go.wasm'));
    return { runtime: WebAssembly.compile(runtimeBytes), grammar: WebAssembly.compile(grammarBytes) };
  })();
  return compiling;
}
