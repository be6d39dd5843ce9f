import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { useCodeCache, type CodeCacheMode } from './code-cache.ts';

// What bin/instrument.cjs runs first: the V8 flags and the code cache, then the command line
// (cli.ts, built into ./instrument.cjs beside this chunk). Both must be in place before V8
// compiles the command line, so this chunk shares no code with it.

// The Go parser is WebAssembly, run on a handful of files per command. V8's optimizing wasm tier
// would compile it again in the background, competing with the work on a 2-core machine and
// holding up the process exit while it finishes; the baseline tier alone is faster end to end
// (bench/apply-revert.mjs). And the baseline tier compiles the whole module when it is loaded,
// on background threads while the command loads and searches the tree (codemod/go-wasm.ts),
// rather than each function on its first call, on the main thread. The flags are part of what a
// code cache is checked against, so they are set before the cache is used.
setFlagsFromString('--liftoff-only');
setFlagsFromString('--no-wasm-lazy-compilation');

// INSTRUMENT_CODE_CACHE: unset to use the cache; `off` to compile from source (to measure the
// difference); `report` to use it and say on stderr how it went; `write` is for the build.
const setting = process.env.INSTRUMENT_CODE_CACHE;
const mode: CodeCacheMode = setting === 'off' || setting === 'write' ? setting : 'read';
const here = dirname(fileURLToPath(import.meta.url));
const report = useCodeCache(here, mode);
if (setting === 'report') {
  process.on('exit', () => {
    const list = (names: string[]) => (names.length > 0 ? names.join(' ') : '-');
    process.stderr.write(`code cache: used ${list(report.used)}; rejected ${list(report.rejected)}; compiled ${list(report.compiled)}\n`);
  });
}
createRequire(import.meta.url)('./instrument.cjs');
