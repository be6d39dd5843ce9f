import type { Node } from 'web-tree-sitter';
import { isKind } from '../codemod/go-parser.ts';
import { fieldsOf, structOf, typeText, type Declared, type GoSource, type ImportSet, type MethodSignature } from './go-source.ts';

/**
 * The scenario the behaviour test runs, and the Go fakes that play it: endpoints, a filter, two
 * scorers with known scores, a picker and a profile handler, each generated from the interface the
 * tree declares, so that the same scenario runs on every release's shapes.
 */

export const SCENARIO = {
  namespace: 'behaviour',
  endpoints: ['ep-a', 'ep-b', 'ep-c', 'ep-d'],
  profile: 'behaviour-profile',
  filter: { type: 'behaviour-filter', name: 'drop-d', drop: 'ep-d' },
  scorers: [
    { type: 'behaviour-scorer', name: 'first', weight: 2, scores: { 'ep-a': 0.25, 'ep-b': 0.5, 'ep-c': 0.75, 'ep-d': 1 } },
    { type: 'behaviour-scorer', name: 'second', weight: 3, scores: { 'ep-a': 0.5, 'ep-b': 1, 'ep-c': 0.25, 'ep-d': 1 } },
  ],
  // Not the highest total (ep-b's): a line that shows the best endpoint instead of the pick is caught.
  picker: { type: 'behaviour-picker', name: 'pick-c', pick: 'ep-c' },
  handler: { type: 'behaviour-handler', name: 'single' },
  runs: 2,
} as const;

export type Found<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What a fake's method does, given its parameters' and results' types as the test writes them. */
type Body = (params: readonly string[], results: readonly string[]) => string | undefined;

/** A Go string literal. */
export const quote = (s: string) => JSON.stringify(s);

/**
 * A fake implementing every method of `methods` on `*receiver`: the methods in `bodies` do what
 * they say, every other one returns zero values (the scenario never needs them).
 */
export function fakeMethods(receiver: string, methods: readonly MethodSignature[], imports: ImportSet, bodies: Readonly<Record<string, Body>>): Found<string> {
  const out: string[] = [];
  for (const method of methods) {
    if (!/^[A-Z]/.test(method.name)) return { ok: false, reason: `its method ${method.name} is unexported, so no other package can implement it` };
    const params = method.params.map((p) => typeText(p.type, method.file, imports));
    const results = method.results.map((r) => typeText(r.type, method.file, imports));
    const body = bodies[method.name]?.(params, results);
    const paramList = params.map((t, i) => `a${i} ${method.params[i]!.variadic ? '...' : ''}${t}`).join(', ');
    const resultList = results.length === 0 ? '' : ` (${results.map((t, i) => `r${i} ${t}`).join(', ')})`;
    out.push(`func (f *${receiver}) ${method.name}(${paramList})${resultList} {\n${body ?? '\treturn'}\n}`);
  }
  return { ok: true, value: out.join('\n\n') };
}

/** TypedName / Name / Type, however the release's plugin interface names a plugin. */
export function identityBodies(): Record<string, Body> {
  return {
    TypedName: (_p, r) => `\tr0 = ${r[0]}{Type: f.typ, Name: f.name}\n\treturn`,
    Name: (_p, r) => (r[0] === 'string' ? '\tr0 = f.name\n\treturn' : undefined),
    Type: (_p, r) => (r[0] === 'string' ? '\tr0 = f.typ\n\treturn' : undefined),
  };
}

/** Whether a plugin interface names plugins by TypedName() (GIE ≥ v0.5) or by Name() alone (v0.4). */
export function namesByTypedName(methods: readonly MethodSignature[]): boolean {
  return methods.some((m) => m.name === 'TypedName');
}

/** The inner type of `*T` as a node, or undefined. */
export function pointee(type: Node): Node | undefined {
  return isKind(type, 'pointer_type') ? (type.namedChildren[0] ?? undefined) : undefined;
}

/**
 * How the picker's result names its targets: the field of ProfileRunResult, and whether it is a
 * slice (TargetPods, TargetEndpoints) or one endpoint (v0.4's TargetPod).
 */
export async function targetField(source: GoSource, result: Declared): Promise<Found<{ field: string; slice: boolean }>> {
  const struct = await structOf(source, result);
  if (!struct) return { ok: false, reason: 'the run result type is not a struct' };
  const field = fieldsOf(struct).find((f) => ['TargetEndpoints', 'TargetPods', 'TargetPod'].includes(f.name));
  if (!field) return { ok: false, reason: 'the run result has none of TargetEndpoints, TargetPods, TargetPod' };
  return { ok: true, value: { field: field.name, slice: isKind(field.type, 'slice_type') } };
}

/** The scored endpoint's struct: the embedded endpoint's field name, and that it has a Score field. */
export async function scoredFields(source: GoSource, scored: Declared): Promise<Found<string>> {
  const struct = await structOf(source, scored);
  const fields = struct ? fieldsOf(struct) : [];
  const embedded = fields.find((f) => f.embedded);
  if (!embedded || !fields.some((f) => f.name === 'Score')) return { ok: false, reason: 'the scored endpoint type does not embed the endpoint beside a Score field' };
  return { ok: true, value: embedded.name };
}
