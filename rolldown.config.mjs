// The command line as users run it: src/cli.ts bundled into CommonJS chunks in dist/cli/, one chunk
// per lazily loaded command, and src/start/main.ts, which bin/instrument.cjs runs first to set V8's
// flags and code cache up before those chunks are compiled (the build writes the cache afterwards:
// scripts/build-code-cache.mjs). `npm run build` runs this through scripts/build-cli.mjs. On Node 20
// this starts about 35 ms sooner than ES modules (docs/speed.md): no ES module loader for some
// thirty files, and commander and web-tree-sitter load through their CommonJS builds.
//
// commander and web-tree-sitter, which every `apply` loads, are bundled in, so the package lists
// them as devDependencies and npm does not install them: requiring a package whose package.json has
// "exports" makes Node 20 load its ES module resolver first, and with commander's seven files that
// is about 10 ms of each start. web-tree-sitter's wasm must match its JavaScript, so the one from the
// package that was bundled is written beside the chunks (codemod/go-wasm.ts reads it there). The
// runtime dependencies, loaded only by the commands that use them, are required from node_modules
// as the package declares them: whatever the sources import and package.json does not list as a
// dependency is bundled.
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'rolldown';
import pkg from './package.json' with { type: 'json' };

const external = Object.keys(pkg.dependencies);
const treeSitterWasm = join(dirname(createRequire(import.meta.url).resolve('web-tree-sitter')), 'web-tree-sitter.wasm');

export default defineConfig({
  input: { instrument: 'src/cli.ts', start: 'src/start/main.ts' },
  platform: 'node',
  external: (id) => id.startsWith('node:') || builtinModules.includes(id) || external.some((name) => id === name || id.startsWith(`${name}/`)),
  onLog(level, log, handle) {
    // web-tree-sitter's Emscripten glue calls eval() directly; the chunks are not minified, so
    // rolldown's warning about it says nothing about this build.
    if (log.code === 'EVAL' && /[\\/]web-tree-sitter[\\/]/.test(log.id ?? '')) return;
    handle(level, log);
  },
  plugins: [
    {
      // commander requires node:child_process when it loads, only to run executable subcommands,
      // which instrument does not have; loading it (and net, dgram and the rest it pulls in) is
      // about 3 ms of every start. commander gets a stand-in that requires it on first use.
      name: 'lazy-child-process-for-commander',
      transform(code, id) {
        if (!id.endsWith(join('commander', 'lib', 'command.js'))) return null;
        const eager = "require('node:child_process')";
        if (!code.includes(eager)) this.error(`commander no longer requires node:child_process as ${eager}; update this plugin`);
        return code.replace(eager, "{ spawn: (...args) => require('node:child_process').spawn(...args) }");
      },
    },
    {
      name: 'web-tree-sitter-wasm',
      generateBundle() {
        this.emitFile({ type: 'asset', fileName: 'web-tree-sitter.wasm', source: readFileSync(treeSitterWasm) });
      },
    },
  ],
  output: {
    dir: 'dist/cli',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    // No source maps: the chunks are compiled through the code cache (src/start/code-cache.ts), and
    // Node does not map frames of code compiled that way, so maps would only add weight.
    sourcemap: false,
    // web-tree-sitter imports node's "module" with import(); as require() it skips starting Node's
    // ES module loader, about 3 ms. Our own lazy imports are of chunks, which this leaves alone.
    dynamicImportInCjs: false,
  },
});
