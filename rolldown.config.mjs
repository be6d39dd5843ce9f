// The command line as users run it: src/cli.ts bundled into CommonJS chunks in dist/cli/, one chunk
// per lazily loaded command. On Node 20 this starts about 35 ms sooner than the ES modules tsc
// writes to dist/ (bench/apply-revert.mjs): no ES module loader for some thirty files, and
// commander and web-tree-sitter load through their CommonJS builds. dist/ stays the library.
// Dependencies are not bundled: they are required from node_modules as the package declares them.
import { builtinModules } from 'node:module';
import { defineConfig } from 'rolldown';
import pkg from './package.json' with { type: 'json' };

const dependencies = Object.keys(pkg.dependencies);

export default defineConfig({
  input: { instrument: 'src/cli.ts' },
  platform: 'node',
  external: (id) =>
    id.startsWith('node:') || builtinModules.includes(id) || dependencies.some((name) => id === name || id.startsWith(`${name}/`)),
  output: {
    dir: 'dist/cli',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    sourcemap: true,
  },
});
