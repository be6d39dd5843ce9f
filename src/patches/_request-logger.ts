import type { Node } from 'web-tree-sitter';
import { changesOf, declaredInScope } from '../codemod/binding.ts';
import { descendantsOfKind, isKind } from '../codemod/go-parser.ts';
import { refuse, type PatchContext, type Refusal } from '../codemod/patch.ts';

/**
 * The request logger: the logger in StreamingServer.Process that carries the request id, the one
 * rule both server points log through. In every release Process does
 * `logger = logger.WithValues(<request id key>, requestID)` once the headers are in (and puts it into
 * ctx); a line written through any other logger would have no `x-request-id`, and analyze could not
 * put it with its request.
 */

const REQUEST_ID = /request[-_]?id/i;

const REMEDY =
  'instrument logs the server points through the logger that carries the request id, so that each line can be put with its request. If Process names its request logger another way, this release is not yet supported: report the file and line above.';

/** `X.WithValues(..., <request id key>, ...)`: a request-id key is a name or string mentioning request id. */
function addsRequestId(value: Node | null | undefined): boolean {
  if (!isKind(value, 'call_expression')) return false;
  const fn = value.childForFieldName('function');
  if (!isKind(fn, 'selector_expression') || fn.childForFieldName('field')?.text !== 'WithValues') return false;
  const args = value.childForFieldName('arguments')?.namedChildren ?? [];
  // Keys sit at even positions; only they name what a value is.
  return args.some((arg, i) => arg != null && i % 2 === 0 && REQUEST_ID.test(arg.text));
}

/** `L.Method(...)` chains rooted at `name` (WithValues, WithName, V): a logger derived from it keeps its values. */
export function derivedFrom(value: Node | null | undefined, name: string): boolean {
  let node = value;
  while (isKind(node, 'call_expression')) {
    const fn = node.childForFieldName('function');
    if (!isKind(fn, 'selector_expression')) return false;
    node = fn.childForFieldName('operand');
  }
  return isKind(node, 'identifier') && node.text === name;
}

/** `X.WithValues(...)`, whatever its keys. */
function addsValues(value: Node | null | undefined): boolean {
  const fn = isKind(value, 'call_expression') ? value.childForFieldName('function') : undefined;
  return isKind(fn, 'selector_expression') && fn.childForFieldName('field')?.text === 'WithValues';
}

/** Loggers Process puts into a context: the `L` of every `log.IntoContext(ctx, L)`. */
function loggersIntoContext(process: Node): Set<string> {
  const names = new Set<string>();
  for (const call of descendantsOfKind(process, 'call_expression')) {
    const fn = call.childForFieldName('function');
    if (!isKind(fn, 'selector_expression') || fn.childForFieldName('field')?.text !== 'IntoContext') continue;
    const logger = call.childForFieldName('arguments')?.namedChildren[1];
    if (isKind(logger, 'identifier')) names.add(logger.text);
  }
  return names;
}

/**
 * Every `L = ....WithValues(<request id key>, ...)` (or `:=`) in Process; when no key names the
 * request id (a renamed constant), the `L = ....WithValues(...)` that Process puts into the
 * request's context, which is the request logger by what it is for.
 */
function requestIdAssignments(process: Node): Array<{ name: string; statement: Node }> {
  const found = (test: (value: Node | null | undefined, target: string) => boolean) => {
    const out: Array<{ name: string; statement: Node }> = [];
    for (const kind of ['assignment_statement', 'short_var_declaration'] as const) {
      for (const statement of descendantsOfKind(process, kind)) {
        const left = statement.childForFieldName('left')?.namedChildren ?? [];
        const right = statement.childForFieldName('right')?.namedChildren ?? [];
        right.forEach((value, i) => {
          const target = left[i];
          if (isKind(target, 'identifier') && test(value, target.text)) out.push({ name: target.text, statement });
        });
      }
    }
    return out;
  };
  const byKey = found((value) => addsRequestId(value));
  if (byKey.length > 0) return byKey;
  const stored = loggersIntoContext(process);
  return found((value, target) => addsValues(value) && stored.has(target));
}

/**
 * The name of the request logger as seen at `at` (a statement of Process): the variable Process
 * assigns a logger with the request id, declared where `at` sees it, and never set to a logger that
 * is not derived from it.
 */
export function requestLogger(process: Node, at: Node, context: PatchContext): { ok: true; name: string } | Refusal {
  const assignments = requestIdAssignments(process);
  if (assignments.length === 0) {
    return refuse('no-request-logger', `Process (${context.at(process)}) gives no logger the request id: no \`<logger> = <logger>.WithValues(<request id key>, ...)\``, REMEDY);
  }
  const visible = [...new Set(assignments.map((a) => a.name))].filter((name) => declaredInScope(name, at));
  if (visible.length === 0) {
    const shown = assignments.map((a) => `${a.name} (${context.at(a.statement)})`).join(', ');
    return refuse('request-logger-out-of-scope', `the logger that carries the request id, ${shown}, is not declared where ${context.at(at)} can use it`, REMEDY);
  }
  if (visible.length > 1) {
    return refuse(
      'request-logger-ambiguous',
      `two loggers carry the request id at ${context.at(at)}: ${visible.map((n) => `${n} (${context.at(assignments.find((a) => a.name === n)!.statement)})`).join(' and ')}`,
      REMEDY,
    );
  }
  const name = visible[0]!;
  for (const change of changesOf(process, name)) {
    const left = change.childForFieldName('left')?.namedChildren ?? [];
    const right = change.childForFieldName('right')?.namedChildren ?? [];
    const index = left.findIndex((n) => n?.text === name);
    if (index < 0) continue;
    const value = right[index] ?? right[0];
    const isDeclaration = change.id === declaredInScope(name, at)?.id;
    if (isDeclaration || derivedFrom(value, name) || addsRequestId(value)) continue;
    return refuse('request-logger-replaced', `${name} carries the request id, but ${context.at(change)} sets it to \`${value?.text ?? '?'}\`, which may not`, REMEDY);
  }
  return { ok: true, name };
}
