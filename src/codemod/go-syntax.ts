import type { Node } from 'web-tree-sitter';
import { childrenOfKind, descendantsOfKind, isKind } from './go-parser.ts';

/** Small readers of Go syntax trees. They know the grammar; they know nothing about the EPP. */

/** Local name → import path, for every import of the file (`_` and `.` imports left out). */
export function importsByName(root: Node): Map<string, string> {
  const imports = new Map<string, string>();
  // Imports sit at the top of a file, so only the import declarations are visited, not the tree.
  const specs = childrenOfKind(root, 'import_declaration').flatMap((decl) =>
    decl.namedChildren.flatMap((child) => (isKind(child, 'import_spec_list') ? childrenOfKind(child, 'import_spec') : isKind(child, 'import_spec') ? [child] : [])),
  );
  for (const spec of specs) {
    const path = spec.childForFieldName('path')?.text.slice(1, -1);
    if (!path) continue;
    const alias = spec.childForFieldName('name')?.text;
    if (alias === '_' || alias === '.') continue;
    imports.set(alias ?? defaultPackageName(path), path);
  }
  return imports;
}

/** Go's default package name for an import path: its last element, skipping a major-version suffix. */
export function defaultPackageName(path: string): string {
  const parts = path.split('/');
  const last = parts.at(-1) ?? path;
  const name = /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
  return name.replace(/^go-/, '').replace(/[.-].*$/, '');
}

/** The base type name of a method's receiver (`*SchedulerProfile` → `SchedulerProfile`). */
export function receiverTypeName(method: Node): string | undefined {
  const param = method.childForFieldName('receiver')?.namedChildren.find((c) => isKind(c, 'parameter_declaration'));
  let type = param?.childForFieldName('type');
  if (isKind(type, 'pointer_type')) type = type.namedChildren[0];
  return isKind(type, 'type_identifier') ? type.text : undefined;
}

export function receiverName(method: Node): string | undefined {
  const param = method.childForFieldName('receiver')?.namedChildren.find((c) => isKind(c, 'parameter_declaration'));
  return param?.childForFieldName('name')?.text;
}

/** Every top-level method of a file, by `Receiver.name`. */
export function methodsByName(root: Node): Map<string, Node[]> {
  const methods = new Map<string, Node[]>();
  for (const method of childrenOfKind(root, 'method_declaration')) {
    const key = `${receiverTypeName(method)}.${method.childForFieldName('name')?.text}`;
    methods.set(key, [...(methods.get(key) ?? []), method]);
  }
  return methods;
}

export interface Parameter {
  readonly name: string;
  readonly type: Node;
}

/** The named parameters of a function or method, one entry per name (`a, b int` gives two). */
export function parameters(fn: Node): Parameter[] {
  const list = fn.childForFieldName('parameters');
  if (!list) return [];
  return childrenOfKind(list, 'parameter_declaration').flatMap((decl) => {
    const type = decl.childForFieldName('type');
    if (!type) return [];
    return decl.childrenForFieldName('name').filter((n): n is Node => n != null).map((n) => ({ name: n.text, type }));
  });
}

/** The parameter whose type is exactly `typeText` (e.g. `context.Context`), if there is one. */
export function parameterOfType(fn: Node, typeText: string): string | undefined {
  return parameters(fn).find((p) => p.type.text === typeText)?.name;
}

/** The statements of a function body, or of any block. */
export function statements(block: Node | null | undefined): Node[] {
  if (!isKind(block, 'block')) return [];
  const list = childrenOfKind(block, 'statement_list')[0];
  return list ? list.namedChildren.filter((n): n is Node => n != null && n.type !== 'comment') : [];
}

/** The statement of `block`'s own statement list that contains `node`. */
export function enclosingStatementOf(node: Node, block: Node): Node | undefined {
  const own = new Set(statements(block).map((s) => s.id));
  for (let n: Node | null = node; n; n = n.parent) if (own.has(n.id)) return n;
  return undefined;
}

/** The innermost statement of a statement list that is `node` or holds it, if any does. */
export function statementHolding(node: Node): Node | undefined {
  for (let n: Node | null = node; n; n = n.parent) if (isKind(n.parent, 'statement_list')) return n;
  return undefined;
}

/** The nearest ancestor of a kind. */
export function ancestorOfKind(node: Node, kind: 'for_statement' | 'block' | 'if_statement'): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === kind) return n;
  return undefined;
}

/** Calls `recv.method(...)` under `node` (the selector's operand written exactly as `operand`). */
export function callsOf(node: Node, method: string, operand?: string): Node[] {
  return descendantsOfKind(node, 'call_expression').filter((call) => {
    const fn = call.childForFieldName('function');
    if (!isKind(fn, 'selector_expression')) return false;
    if (fn.childForFieldName('field')?.text !== method) return false;
    return operand === undefined || fn.childForFieldName('operand')?.text === operand;
  });
}

/** The arguments of a call, as nodes. */
export function callArguments(call: Node): Node[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((n): n is Node => n != null && n.type !== 'comment') ?? [];
}

/** The identifiers on the left of `a, b := ...` or `a, b = ...`. */
export function assignedNames(statement: Node): string[] {
  if (!isKind(statement, 'short_var_declaration') && !isKind(statement, 'assignment_statement')) return [];
  const left = statement.childForFieldName('left');
  return left?.namedChildren.filter((n): n is Node => n != null).map((n) => n.text) ?? [];
}

/** A type written as `[]T`, `*T`, `T`, `pkg.T`, `map[K]V`, taken apart. */
export interface TypeRef {
  readonly pointer: boolean;
  readonly slice: boolean;
  /** The package qualifier, if the type is `pkg.T`. */
  readonly qualifier: string | undefined;
  readonly name: string;
}

export function typeRef(type: Node | null | undefined): TypeRef | undefined {
  let pointer = false;
  let slice = false;
  let node = type;
  if (isKind(node, 'slice_type')) {
    slice = true;
    node = node.childForFieldName('element');
  }
  if (isKind(node, 'pointer_type')) {
    pointer = true;
    node = node.namedChildren[0];
  }
  if (isKind(node, 'qualified_type')) {
    return { pointer, slice, qualifier: node.childForFieldName('package')?.text, name: node.childForFieldName('name')?.text ?? '' };
  }
  if (isKind(node, 'type_identifier')) return { pointer, slice, qualifier: undefined, name: node.text };
  return undefined;
}

/** The key and value types of a `map[K]V` type node. */
export function mapTypes(type: Node | null | undefined): { key: Node; value: Node } | undefined {
  if (!isKind(type, 'map_type')) return undefined;
  const key = type.childForFieldName('key');
  const value = type.childForFieldName('value');
  return key && value ? { key, value } : undefined;
}

/** The type declared by `type <name> ...` at the top level of a file (struct, interface or alias). */
export function findTypeSpec(root: Node, name: string): Node | undefined {
  for (const decl of childrenOfKind(root, 'type_declaration')) {
    for (const spec of decl.namedChildren) {
      if ((isKind(spec, 'type_spec') || isKind(spec, 'type_alias')) && spec.childForFieldName('name')?.text === name) {
        return spec;
      }
    }
  }
  return undefined;
}

export interface Field {
  readonly name: string;
  readonly type: Node;
}

/** The named fields of a struct type spec (embedded fields are left out). */
export function structFields(spec: Node): Field[] {
  const struct = spec.childForFieldName('type');
  if (!isKind(struct, 'struct_type')) return [];
  return descendantsOfKind(struct, 'field_declaration')
    .filter((f) => f.parent?.parent?.id === struct.id)
    .flatMap((f) => {
      const type = f.childForFieldName('type');
      if (!type) return [];
      return f.childrenForFieldName('name').filter((n): n is Node => n != null).map((n) => ({ name: n.text, type }));
    });
}

/** Method names declared directly in an interface type spec, and its embedded types. */
export function interfaceMembers(spec: Node): { methods: string[]; embedded: Node[] } {
  const iface = spec.childForFieldName('type');
  if (!isKind(iface, 'interface_type')) return { methods: [], embedded: [] };
  const methods = childrenOfKind(iface, 'method_elem').map((m) => m.childForFieldName('name')?.text ?? '');
  const embedded = childrenOfKind(iface, 'type_elem').flatMap((e) => e.namedChildren.filter((n): n is Node => n != null));
  return { methods, embedded };
}

/** Identifier-like texts (identifiers and field names) under a node, for cheap "mentions" checks. */
export function mentions(node: Node, name: string): boolean {
  return (
    descendantsOfKind(node, 'identifier').some((n) => n.text === name) ||
    descendantsOfKind(node, 'field_identifier').some((n) => n.text === name)
  );
}
