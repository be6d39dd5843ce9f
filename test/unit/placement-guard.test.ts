import { describe, expect, it, vi } from 'vitest';
import type { PatchPoint } from '../../src/codemod/patch.ts';
import { cli, type JsonPoint } from '../helpers/cli.ts';
import { copyFixture, TARGET_FILES, treeSnapshot } from '../helpers/fixtures.ts';
import { DRIFT, lineContaining, mutate } from '../helpers/mutate.ts';

// The engine's own check, under every patch: a block goes next to a statement of a block, never
// "after" something inside an if header or an expression. Here server.request's hook is made to
// anchor on the HandleRequest call itself, as a careless hook would.
vi.mock('../../src/patches/index.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/patches/index.ts')>();
  const careless = (point: PatchPoint): PatchPoint => ({
    ...point,
    async bind(captures, context) {
      const binding = await point.bind(captures, context);
      const call = captures.find((c) => c.name === 'assign')?.node;
      return binding.ok && call ? { ...binding, placement: { anchor: call, where: 'after' } } : binding;
    },
  });
  return { PATCH_POINTS: original.PATCH_POINTS.map((p) => (p.id === 'server.request' ? careless(p) : p)) };
});

describe('the engine', () => {
  it('refuses a placement next to a statement that is part of an if header, whatever the hook said', async () => {
    const dir = copyFixture('g15');
    mutate(dir, TARGET_FILES.g15.server, ...DRIFT.handleRequestInHeader);
    const before = treeSnapshot(dir);
    const run = await cli(['apply', '--source', dir, '--json'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    const point = (JSON.parse(run.stdout).points as JsonPoint[]).find((p) => p.id === 'server.request')!;
    const header = lineContaining(dir, TARGET_FILES.g15.server, 'if reqCtx, err = s.director.HandleRequest(');
    expect(point).toMatchObject({ status: 'missing', codes: ['anchor-not-a-statement'] });
    expect(point.detail).toContain(`the statement at ${TARGET_FILES.g15.server}:${header} is not a statement of a block but part of the if at line ${header}`);
    expect(point.remedy).toContain('a bug in instrument');
    expect(treeSnapshot(dir)).toEqual(before);
  });
});
