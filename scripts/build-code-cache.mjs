// The last step of `npm run build`: writes the V8 code cache beside the command line's chunks
// (src/start/code-cache.ts) by running `instrument apply` and `instrument revert` once on a copy of
// the g12 fixture, with INSTRUMENT_CODE_CACHE=write. Apply runs first, so the chunks both commands
// load keep the code apply compiled.
//
// Two builds must give the same bytes. A V8 code cache holds each string's hash, and V8 seeds its
// hash function from a random number drawn at start, so the runs that write the caches take a fixed
// --random-seed. V8 leaves that flag out of the flag hash each cache is checked against, so the
// caches still fit runs without it (the package test checks they are used). The memory reducer
// runs garbage collections on timers, so on a loaded machine a run could age and flush the bytecode
// of different functions and write a different cache; --no-memory-reducer, also left out of that
// hash, takes the clock out (one build in four differed under a load of 12 on 2 cores without it).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAst } from 'rolldown/parseAst';

const repo = new URL('..', import.meta.url).pathname;
const chunks = join(repo, 'dist', 'cli');

// The cache compiles each chunk through vm.Script, which cannot run import() without a callback
// Node 20 offers only as experimental; the bundle turns every import() into require()
// (rolldown.config.mjs), and this keeps it so.
function hasDynamicImport(node) {
  if (Array.isArray(node)) return node.some(hasDynamicImport);
  if (node === null || typeof node !== 'object') return false;
  return node.type === 'ImportExpression' || Object.values(node).some(hasDynamicImport);
}
for (const name of readdirSync(chunks).filter((n) => n.endsWith('.cjs'))) {
  if (hasDynamicImport(parseAst(readFileSync(join(chunks, name), 'utf8')))) {
    throw new Error(`dist/cli/${name} calls import(), which a chunk compiled with the code cache cannot; make it a require()`);
  }
}

const tree = mkdtempSync(join(tmpdir(), 'instrument-code-cache-'));
try {
  cpSync(join(repo, 'test', 'go-fixtures', 'g12'), tree, { recursive: true });
  for (const command of ['apply', 'revert']) {
    try {
      execFileSync(process.execPath, ['--random-seed=1', '--no-memory-reducer', join(repo, 'bin', 'instrument.cjs'), command, '--source', tree], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, INSTRUMENT_CODE_CACHE: 'write' },
      });
    } catch (error) {
      // Its stderr (what it found, and why it failed) matters only when it fails.
      process.stderr.write(error.stderr ?? '');
      throw error;
    }
  }
} finally {
  rmSync(tree, { recursive: true, force: true });
}
const written = readdirSync(chunks).filter((n) => n.endsWith('.v8cache'));
console.log(`dist/cli: code cache for ${written.length} chunks`);
