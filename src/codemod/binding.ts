import type { Node } from 'web-tree-sitter';
import { descendantsOfKind, isKind } from './go-parser.ts';
import { callArguments, mapTypes, parameters, statements, type Parameter } from './go-syntax.ts';

/**
 * Proofs about what a value is and where it flows, on the tree in front of us: a point's block may
 * log a value only where the code provably holds the value meant (the pick that is returned, the
 * totals the picker got), not a value found by position or by first match. Grammar only; what the
 * values mean is the patches' business.
 */

/** 1-based line of a node, for refusals. */
export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/** The identifier an lvalue or operand is rooted at: `r` for `r`, `r.F.G`, `r[i]`, `*r`, `(r)`. */
export function rootName(expression: Node | null | undefined): string | undefined {
  let node = expression;
  while (node) {
    if (isKind(node, 'identifier')) return node.text;
    if (isKind(node, 'selector_expression')) node = node.childForFieldName('operand');
    else if (isKind(node, 'index_expression') || isKind(node, 'slice_expression')) node = node.childForFieldName('operand');
    else if (isKind(node, 'parenthesized_expression')) node = node.namedChildren[0];
    else if (isKind(node, 'unary_expression')) node = node.childForFieldName('operand');
    else return undefined;
  }
  return undefined;
}

/** The first field selected on `name` in an lvalue (`r.TargetPods[0]` → `TargetPods`), if any. */
function firstField(expression: Node, name: string): string | undefined {
  let node: Node | null = expression;
  let field: string | undefined;
  while (node && !isKind(node, 'identifier')) {
    if (isKind(node, 'selector_expression')) field = node.childForFieldName('field')?.text;
    node = (isKind(node, 'parenthesized_expression') ? node.namedChildren[0] : node.childForFieldName('operand')) ?? null;
  }
  return node?.text === name ? field : undefined;
}

/**
 * Statements under `scope` that change `name`, or only the given fields of it: assignments (`=`,
 * `:=`, `+=`, ...) to it or through it, `++`/`--`, and `delete`/`clear` on it. A `:=` in an inner
 * block may declare another variable of the same name; it is counted all the same, because a
 * refusal or a later placement is safe where a missed change would not be.
 */
export function changesOf(scope: Node, name: string, fields?: readonly string[]): Node[] {
  const touches = (lvalue: Node | null | undefined): boolean => {
    if (!lvalue || rootName(lvalue) !== name) return false;
    if (isKind(lvalue, 'identifier') || fields === undefined) return true;
    const field = firstField(lvalue, name);
    return field === undefined || fields.includes(field);
  };
  const found: Node[] = [];
  for (const kind of ['assignment_statement', 'short_var_declaration'] as const) {
    for (const statement of descendantsOfKind(scope, kind)) {
      if (statement.childForFieldName('left')?.namedChildren.some(touches)) found.push(statement);
    }
  }
  for (const kind of ['inc_statement', 'dec_statement'] as const) {
    for (const statement of descendantsOfKind(scope, kind)) if (touches(statement.namedChildren[0])) found.push(statement);
  }
  for (const call of descendantsOfKind(scope, 'call_expression')) {
    const fn = call.childForFieldName('function');
    if (isKind(fn, 'identifier') && (fn.text === 'delete' || fn.text === 'clear') && touches(callArguments(call)[0])) found.push(call);
  }
  return found.sort((a, b) => a.startIndex - b.startIndex);
}

/** Where a node sits in the header of an `if`, `switch` or `for` rather than in its body. */
export interface Header {
  readonly statement: Node;
  readonly kind: 'if' | 'switch' | 'for';
}

const HEADER_FIELDS: Record<string, { kind: Header['kind']; fields: readonly string[] }> = {
  if_statement: { kind: 'if', fields: ['initializer', 'condition'] },
  expression_switch_statement: { kind: 'switch', fields: ['initializer', 'value'] },
  type_switch_statement: { kind: 'switch', fields: ['initializer', 'value', 'alias'] },
  for_statement: { kind: 'for', fields: [] },
};

/**
 * The innermost statement whose header holds `node` (`if x, err := f(); err != nil`), below
 * `stop`. A block inserted "after" such a node would land in the body, which runs only on one of
 * the branches.
 */
export function headerHolding(node: Node, stop?: Node): Header | undefined {
  for (let child: Node = node, parent = node.parent; parent && parent.id !== stop?.id; child = parent, parent = parent.parent) {
    if (isKind(child, 'block')) return undefined;
    const header = HEADER_FIELDS[parent.type];
    if (!header) continue;
    const inHeader =
      parent.type === 'for_statement' ? !isKind(child, 'block') : header.fields.some((f) => parent.childForFieldName(f)?.id === child.id);
    if (inHeader) return { statement: parent, kind: header.kind };
  }
  return undefined;
}

/** True when a block ends the path through it: its last statement returns, breaks, continues, jumps or panics. */
export function terminates(block: Node | null | undefined): boolean {
  const last = statements(block).at(-1);
  if (!last) return false;
  if (isKind(last, 'return_statement') || isKind(last, 'break_statement') || isKind(last, 'continue_statement') || isKind(last, 'goto_statement')) return true;
  const call = isKind(last, 'expression_statement') ? last.namedChildren[0] : undefined;
  return isKind(call, 'call_expression') && call.childForFieldName('function')?.text === 'panic';
}

/** `err != nil` (or `nil != err`) → `!=`; `err == nil` → `==`; anything else undefined. */
function nilTest(condition: Node | null | undefined, err: string): '!=' | '==' | undefined {
  if (!isKind(condition, 'binary_expression')) return undefined;
  const operator = condition.childForFieldName('operator')?.text;
  const sides = [condition.childForFieldName('left')?.text, condition.childForFieldName('right')?.text];
  if (!sides.includes(err) || !sides.includes('nil')) return undefined;
  return operator === '!=' || operator === '==' ? operator : undefined;
}

export type SuccessPath = { ok: true; anchor: Node; where: 'after' | 'block-start' } | { ok: false; why: string };

/**
 * Where the code goes on when `if <init>; <err> != nil { ... }` did not fail: after the `if` when its
 * error branch ends the path and there is no else; the start of the else block, or of the body of
 * `if ...; err == nil { ... }`. Any other header leaves the success path unproven.
 */
export function successPath(header: Header, err: string): SuccessPath {
  const statement = header.statement;
  if (header.kind !== 'if') return { ok: false, why: `it is in the header of the ${header.kind} at line ${lineOf(statement)}` };
  const test = nilTest(statement.childForFieldName('condition'), err);
  const consequence = statement.childForFieldName('consequence');
  const alternative = statement.childForFieldName('alternative');
  if (test === '==' && consequence) return { ok: true, anchor: consequence, where: 'block-start' };
  if (test === '!=') {
    if (isKind(alternative, 'block')) return { ok: true, anchor: alternative, where: 'block-start' };
    if (!alternative && terminates(consequence)) return { ok: true, anchor: statement, where: 'after' };
  }
  return { ok: false, why: `it is in the header of the if at line ${lineOf(statement)}, whose branches do not show which one is the success path` };
}

/** The parameter of `fn` whose type satisfies `test`: exactly one, or every one found. */
export function parameterWhere(fn: Node, test: (type: Node) => boolean): { only: Parameter & { index: number } } | { found: Array<Parameter & { index: number }> } {
  const found = parameters(fn)
    .map((p, index) => ({ ...p, index }))
    .filter((p) => test(p.type));
  return found.length === 1 ? { only: found[0]! } : { found };
}

/** A `map[K]float64` type. */
export function isFloatMap(type: Node): boolean {
  return mapTypes(type)?.value.text === 'float64';
}

/** The argument of a call that fills parameter `index` (no variadic spread in these calls). */
export function argumentFor(call: Node, index: number): Node | undefined {
  return callArguments(call)[index];
}

/** Return statements of `fn` itself (not of function literals inside it). */
export function returnsOf(fn: Node): Node[] {
  return descendantsOfKind(fn, 'return_statement').filter((r) => {
    for (let n = r.parent; n && n.id !== fn.id; n = n.parent) if (isKind(n, 'func_literal')) return false;
    return true;
  });
}

/** The first value a return statement returns, as a node. */
export function returnedValue(statement: Node): Node | undefined {
  const list = statement.namedChildren.find((c) => isKind(c, 'expression_list'));
  return list?.namedChildren[0] ?? undefined;
}

/**
 * Whether `name` is declared where `at` can see it: a parameter or receiver of the enclosing
 * function, or a declaration among the statements of an enclosing block before `at`.
 */
export function declaredInScope(name: string, at: Node): Node | undefined {
  for (let child: Node = at, parent = at.parent; parent; child = parent, parent = parent.parent) {
    if (isKind(parent, 'statement_list')) {
      for (const statement of parent.namedChildren) {
        if (!statement || statement.startIndex >= child.startIndex) break;
        if (declares(statement, name)) return statement;
      }
    }
    if (isKind(parent, 'method_declaration') || isKind(parent, 'function_declaration') || isKind(parent, 'func_literal')) {
      const inParams = parameters(parent).some((p) => p.name === name);
      const receiver = parent.childForFieldName('receiver');
      if (inParams || (receiver && descendantsOfKind(receiver, 'identifier').some((n) => n.text === name))) return parent;
    }
  }
  return undefined;
}

function declares(statement: Node, name: string): boolean {
  if (isKind(statement, 'short_var_declaration')) return statement.childForFieldName('left')?.namedChildren.some((n) => n?.text === name) ?? false;
  if (isKind(statement, 'var_declaration')) {
    return descendantsOfKind(statement, 'var_spec').some((spec) => spec.childrenForFieldName('name').some((n) => n?.text === name));
  }
  return false;
}

/**
 * The statement of `block` after which a block logging `name` sees its final value: `anchor`, or,
 * when `name` (or one of `fields`) is changed later in the block, the statement of the block that
 * holds the last change.
 */
export function afterLastChange(block: Node, anchor: Node, name: string, fields?: readonly string[]): { statement: Node; change: Node | undefined } {
  const own = statements(block);
  const later = changesOf(block, name, fields).filter((c) => c.startIndex >= anchor.endIndex);
  const change = later.at(-1);
  if (!change) return { statement: anchor, change: undefined };
  const holder = own.find((s) => s.startIndex <= change.startIndex && change.endIndex <= s.endIndex);
  return { statement: holder ?? anchor, change };
}

/**
 * The first statement in `from`..`to` (offsets) that leaves `block` early: a return, or a break,
 * continue or goto not aimed at a loop, switch or select nested in that range. A block placed after
 * `to` would not run on that path.
 */
export function exitBetween(block: Node, from: number, to: number): Node | undefined {
  const kinds = ['return_statement', 'break_statement', 'continue_statement', 'goto_statement'] as const;
  const exits = kinds.flatMap((k) => descendantsOfKind(block, k)).filter((e) => e.startIndex >= from && e.endIndex <= to);
  const nested = (exit: Node): boolean => {
    for (let n = exit.parent; n && n.id !== block.id; n = n.parent) {
      if (isKind(n, 'func_literal')) return true;
      if (n.startIndex < from) break;
      const breakable = isKind(n, 'for_statement') || isKind(n, 'expression_switch_statement') || isKind(n, 'type_switch_statement') || isKind(n, 'select_statement');
      if (breakable && (isKind(exit, 'break_statement') || (isKind(exit, 'continue_statement') && isKind(n, 'for_statement')))) return true;
    }
    return false;
  };
  return exits.filter((e) => !nested(e)).sort((a, b) => a.startIndex - b.startIndex)[0];
}
