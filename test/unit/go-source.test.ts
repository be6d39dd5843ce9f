import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoSource, ImportSet, typeText } from '../../src/check/go-source.ts';
import { tempDir } from '../helpers/fixtures.ts';

/** A module with an interface that embeds one of another package, as GIE's plugin interfaces do. */
function module(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'sched'));
  mkdirSync(join(dir, 'plugin'));
  writeFileSync(join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.24\n');
  writeFileSync(join(dir, 'plugin', 'plugin.go'), 'package plugin\n\ntype TypedName struct{ Type, Name string }\n\ntype Plugin interface {\n\tTypedName() TypedName\n}\n');
  writeFileSync(
    join(dir, 'sched', 'plugins.go'),
    'package sched\n\nimport (\n\t"context"\n\n\tplug "example.com/m/plugin"\n)\n\ntype Endpoint interface{ Name() string }\n\ntype Alias = Scorer\n\n' +
      'type Scorer interface {\n\tplug.Plugin\n\tScore(ctx context.Context, state *CycleState, endpoints []Endpoint) map[Endpoint]float64\n\tWeights(ws ...float64) (n int, err error)\n}\n\ntype CycleState struct{}\n',
  );
  return dir;
}

describe('GoSource', () => {
  it('reads an interface\'s whole method set through embedded interfaces and aliases, and writes its types for another package', async () => {
    const source = new GoSource({ dir: module(), path: 'example.com/m' });
    try {
      const alias = await source.type('example.com/m/sched', 'Alias');
      const methods = (await source.methodSet(alias!))!;
      expect(methods.map((m) => m.name)).toEqual(['TypedName', 'Score', 'Weights']);
      const imports = new ImportSet({ context: 'context' });
      const render = (i: number) => ({
        params: methods[i]!.params.map((p) => `${p.variadic ? '...' : ''}${typeText(p.type, methods[i]!.file, imports)}`),
        results: methods[i]!.results.map((r) => typeText(r.type, methods[i]!.file, imports)),
      });
      // Package-local names are qualified with the declaring package; the embedded one's with its own.
      expect(render(0)).toEqual({ params: [], results: ['plugin.TypedName'] });
      expect(render(1)).toEqual({ params: ['context.Context', '*sched.CycleState', '[]sched.Endpoint'], results: ['map[sched.Endpoint]float64'] });
      expect(render(2)).toEqual({ params: ['...float64'], results: ['int', 'error'] });
      expect(imports.lines()).toEqual(['\tcontext "context"', '\tplugin "example.com/m/plugin"', '\tsched "example.com/m/sched"']);
    } finally {
      source.dispose();
    }
  });

  it('gives two packages of the same name different local names', () => {
    const imports = new ImportSet();
    expect([imports.name('a.com/x/types'), imports.name('k8s.io/apimachinery/pkg/types'), imports.name('a.com/x/types')]).toEqual(['types', 'types2', 'types']);
  });

  it('says an interface cannot be read when an embedded one is not in the module', async () => {
    const dir = module();
    writeFileSync(join(dir, 'sched', 'other.go'), 'package sched\n\nimport "example.org/elsewhere"\n\ntype Outside interface {\n\telsewhere.Thing\n}\n');
    const source = new GoSource({ dir, path: 'example.com/m' });
    try {
      expect(await source.methodSet((await source.type('example.com/m/sched', 'Outside'))!)).toBeUndefined();
      expect(await source.methodSet((await source.type('example.com/m/sched', 'CycleState'))!)).toBeUndefined();
    } finally {
      source.dispose();
    }
  });
});
