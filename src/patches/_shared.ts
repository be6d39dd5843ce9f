import type { Node } from 'web-tree-sitter';
import { isKind } from '../codemod/go-parser.ts';
import { callsOf, interfaceMembers, typeRef } from '../codemod/go-syntax.ts';
import type { PatchContext, Refusal } from '../codemod/patch.ts';

/** The controller-runtime log package: the EPP's `log` in both files, in every release. */
export const LOG_IMPORT = 'sigs.k8s.io/controller-runtime/pkg/log';
export const LOGR_IMPORT = 'github.com/go-logr/logr';

/**
 * Accessors from an endpoint interface to the struct holding its `NamespacedName`, newest first:
 * `fwksched.Endpoint.GetMetadata()` (GIE ≥ v1.4 and llm-d-router), `types.Pod.GetPod()` (earlier).
 */
export const ENDPOINT_ACCESSORS = ['GetMetadata', 'GetPod'] as const;

export type Found<T> = { ok: true; value: T } | Refusal;

/** The name the file imports a package under, if it imports it. */
export function importedAs(context: PatchContext, importPath: string): string | undefined {
  for (const [name, path] of context.imports) if (path === importPath) return name;
  return undefined;
}

/** The name the file imports controller-runtime's log package under. */
export function logPackage(context: PatchContext): Found<string> {
  const name = importedAs(context, LOG_IMPORT);
  return name === undefined ? { ok: false, reason: `${context.display} does not import ${LOG_IMPORT}` } : { ok: true, value: name };
}

/**
 * The folder of the package a type qualifier (`types`, `fwksched`) refers to, within this module.
 * An unqualified type lives in `home`: the package of the file, or of the declaration it came from.
 */
function packageDirOf(context: PatchContext, qualifier: string | undefined, home: string): Found<string> {
  if (qualifier === undefined) return { ok: true, value: home };
  const importPath = context.imports.get(qualifier);
  if (!importPath) return { ok: false, reason: `${context.display} has no import named ${qualifier}` };
  const dir = context.packages.dirOf(importPath);
  if (!dir) return { ok: false, reason: `${importPath} is not part of module ${context.packages.module.path}, so its types cannot be read` };
  return { ok: true, value: dir };
}

/**
 * Which accessor the endpoint type (`[]types.Pod`, `fwksched.Endpoint`, ...) declares, read from the
 * interface's declaration in its package.
 */
export async function endpointAccessor(context: PatchContext, type: Node | null | undefined, home = context.dir): Promise<Found<string>> {
  const ref = typeRef(type);
  if (!ref) return { ok: false, reason: `cannot read the endpoint type ${type?.text ?? '(none)'}` };
  const dir = packageDirOf(context, ref.qualifier, home);
  if (!dir.ok) return dir;
  const spec = await context.packages.findType(dir.value, ref.name);
  const shown = ref.qualifier ? `${ref.qualifier}.${ref.name}` : ref.name;
  if (!spec) return { ok: false, reason: `no declaration of interface ${shown} in ${context.packages.importPathOf(dir.value)}` };
  const { methods } = interfaceMembers(spec);
  const accessor = ENDPOINT_ACCESSORS.find((a) => methods.includes(a));
  if (!accessor) return { ok: false, reason: `interface ${shown} declares none of ${ENDPOINT_ACCESSORS.join(', ')}` };
  return { ok: true, value: accessor };
}

/**
 * The named type a type node refers to (`*types.ProfileRunResult`), looked up in its package, with
 * that package's folder (where the unqualified types in its fields live).
 */
export async function typeDeclaration(context: PatchContext, type: Node | null | undefined): Promise<Found<{ spec: Node; dir: string }>> {
  const ref = typeRef(type);
  if (!ref) return { ok: false, reason: `cannot read the type ${type?.text ?? '(none)'}` };
  const dir = packageDirOf(context, ref.qualifier, context.dir);
  if (!dir.ok) return dir;
  const spec = await context.packages.findType(dir.value, ref.name);
  if (!spec) return { ok: false, reason: `no declaration of ${ref.name} in ${context.packages.importPathOf(dir.value)}` };
  return { ok: true, value: { spec, dir: dir.value } };
}

/** Per parsed file: whether it calls `TypedName()`. Every scorer match asks, and the answer walks the whole file. */
const namesPluginsByTypedName = new WeakMap<Node, boolean>();

/**
 * How the file names its plugins: `TypedName()` with `.Type`/`.Name` (GIE ≥ v0.5; its `String()`
 * has a pointer receiver in v0.5, so the fields are used, never the value itself) or `Name()` (v0.4).
 */
export function pluginIdentity(context: PatchContext, plugin: string): { type: string; name: string } {
  let typed = namesPluginsByTypedName.get(context.root);
  if (typed === undefined) {
    typed = callsOf(context.root, 'TypedName').length > 0;
    namesPluginsByTypedName.set(context.root, typed);
  }
  return typed
    ? { type: `${plugin}.TypedName().Type`, name: `${plugin}.TypedName().Name` }
    : { type: `${plugin}.Name()`, name: `${plugin}.Name()` };
}

/**
 * How code in this file names the helpers of patches/run-record.ts, which live in the profile's
 * package: unqualified in that package, `<alias>.` from another one (scheduler.go up to GIE v1.3.1).
 */
export function helperQualifier(context: PatchContext): Found<string> {
  const profileDir = context.targetDirs.profile;
  if (profileDir === undefined) {
    return {
      ok: false,
      code: 'helpers-unplaced',
      reason: "the block calls instrument's helpers, which go beside func (*SchedulerProfile) Run, and no single file declares it (see the profile points)",
      remedy: 'Once the profile points can be placed (see their "what to do"), this one can be too.',
    };
  }
  if (profileDir === context.dir) return { ok: true, value: '' };
  for (const [name, path] of context.imports) {
    if (context.packages.dirOf(path) === profileDir) return { ok: true, value: `${name}.` };
  }
  return { ok: false, reason: `${context.display} does not import the package of SchedulerProfile (${context.packages.importPathOf(profileDir)})` };
}

/** The `k, v := range x` clause of a for statement, if it has that form. */
export function rangeClause(loop: Node): { names: string[]; over: Node } | undefined {
  const clause = loop.namedChildren.find((c) => isKind(c, 'range_clause'));
  const over = clause?.childForFieldName('right');
  if (!clause || !over) return undefined;
  const names = clause.childForFieldName('left')?.namedChildren.map((n) => n?.text ?? '') ?? [];
  return { names, over };
}
