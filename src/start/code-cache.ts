import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * A V8 code cache for the command line's own chunks (dist/cli/*.cjs).
 *
 * Compiling JavaScript is a large share of a short command: V8 parses each chunk when it loads and
 * compiles each function on its first call. `npm run build` runs apply and revert once with mode
 * `write` (scripts/build-code-cache.mjs), and each chunk's compiled code, taken at the end of that
 * run, is written beside it as `<chunk>.v8cache`. Later runs hand it to V8 with the source.
 *
 * V8 checks each cache against its own version, its flags (so start/main.ts sets its flags before
 * anything is compiled) and the source's length, and compiles from source when a cache does not
 * fit: a package built with another Node version still works, only without the head start. The
 * build removes dist/ and writes every cache afresh beside the chunks it was made from.
 *
 * Node 20 has no public hook for compiling CommonJS modules (Node 22 adds module.enableCompileCache,
 * which keeps its cache outside the package), so this replaces Module.prototype._compile, as
 * v8-compile-cache and the test runners do, for files in `dir` only; every other module compiles as
 * Node would.
 */
export type CodeCacheMode = 'read' | 'write' | 'off';

export interface CodeCacheReport {
  /** Chunks compiled from their cache. */
  readonly used: string[];
  /** Chunks whose cache V8 refused (another Node version, other V8 flags), compiled from source. */
  readonly rejected: string[];
  /** Chunks compiled without a cache (none there, or mode `write` or `off`). */
  readonly compiled: string[];
}

const CODE_CACHE_SUFFIX = '.v8cache';

interface InternalModule {
  _compile(content: string, filename: string): unknown;
  exports: unknown;
}

/**
 * Compiles the CommonJS files in `dir` through V8's code cache from now on. In mode `write`, the
 * caches of chunks that have none are written when the process exits.
 */
export function useCodeCache(dir: string, mode: CodeCacheMode): CodeCacheReport {
  const report: CodeCacheReport = { used: [], rejected: [], compiled: [] };
  if (mode === 'off') return report;
  const prototype = (Module as unknown as { prototype: InternalModule }).prototype;
  const compile = prototype._compile;
  const toWrite: Array<{ script: Script; path: string }> = [];
  prototype._compile = function (this: InternalModule, content: string, filename: string) {
    if (dirname(filename) !== dir || !filename.endsWith('.cjs')) return compile.call(this, content, filename);
    const cachePath = filename + CODE_CACHE_SUFFIX;
    const cachedData = mode === 'read' ? readCache(cachePath) : undefined;
    // The wrapper Node puts around every CommonJS module, on the module's first line so that line
    // numbers in stack traces stay as they are.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${content}\n})`, { filename, cachedData });
    const name = basename(filename);
    if (cachedData === undefined) report.compiled.push(name);
    else (script.cachedDataRejected === true ? report.rejected : report.used).push(name);
    if (mode === 'write' && !existsSync(cachePath)) toWrite.push({ script, path: cachePath });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dir);
  };
  if (mode === 'write') {
    // At exit the cache holds every function the run compiled, not only the chunk's top level.
    process.on('exit', () => {
      for (const { script, path } of toWrite) writeFileSync(path, script.createCachedData());
    });
  }
  return report;
}

/** A cache that cannot be read is no cache: the chunk is compiled from source. */
function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
