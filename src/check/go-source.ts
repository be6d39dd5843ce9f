import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import type { GoModule } from '../codemod/go-package.ts';
import { childrenOfKind, descendantsOfKind, isKind, parseGo } from '../codemod/go-parser.ts';
import { defaultPackageName, findTypeSpec, importsByName, receiverTypeName } from '../codemod/go-syntax.ts';

/**
 * Reads the declarations of a checked-out tree that the behaviour test needs (interfaces and their
 * method sets, constructors, struct fields), and writes their types as code of another package can
 * name them. Tree-sitter has no type checker: types are followed by name through the imports.
 */

/** A parsed Go file of a package, with its imports by local name. */
export interface GoFile {
  readonly root: Node;
  readonly imports: ReadonlyMap<string, string>;
  /** The import path of its package. */
  readonly importPath: string;
}

/** A declaration found in a package: the node and the file it is written in. */
export interface Declared {
  readonly node: Node;
  readonly file: GoFile;
}

/** One parameter or result of a method or function, its type as a node of the declaring file. */
export interface Slot {
  readonly type: Node;
  readonly variadic: boolean;
}

export interface MethodSignature {
  readonly name: string;
  readonly params: readonly Slot[];
  readonly results: readonly Slot[];
  readonly file: GoFile;
}

const PREDECLARED = new Set(
  'any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr'.split(' '),
);

/** The import paths a generated file uses, each under a local name of its own. */
export class ImportSet {
  private readonly byPath = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(fixed: Readonly<Record<string, string>> = {}) {
    for (const [path, name] of Object.entries(fixed)) {
      this.byPath.set(path, name);
      this.taken.add(name);
    }
  }

  /** The local name of an import path, given one the first time it is asked for. */
  name(path: string): string {
    const known = this.byPath.get(path);
    if (known !== undefined) return known;
    const base = defaultPackageName(path).replace(/\W/g, '') || 'pkg';
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
    this.byPath.set(path, name);
    this.taken.add(name);
    return name;
  }

  /** The import block's lines, sorted by path. */
  lines(): string[] {
    return [...this.byPath].sort(([a], [b]) => a.localeCompare(b)).map(([path, name]) => `\t${name} ${JSON.stringify(path)}`);
  }
}

/** The packages of one module, parsed on demand (non-test files only). */
export class GoSource {
  readonly module: GoModule;
  private readonly packages = new Map<string, GoFile[]>();
  private readonly trees: Tree[] = [];

  constructor(module: GoModule) {
    this.module = module;
  }

  dirOf(importPath: string): string | undefined {
    if (importPath === this.module.path) return this.module.dir;
    if (!importPath.startsWith(this.module.path + '/')) return undefined;
    return join(this.module.dir, ...importPath.slice(this.module.path.length + 1).split('/'));
  }

  /** Every file of a package of this module that parses; none for other modules. */
  async files(importPath: string): Promise<GoFile[]> {
    const cached = this.packages.get(importPath);
    if (cached) return cached;
    const dir = this.dirOf(importPath);
    const files: GoFile[] = [];
    if (dir !== undefined && existsSync(dir)) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go')).sort()) {
        try {
          const parsed = await parseGo(readFileSync(join(dir, name), 'utf8'), name);
          this.trees.push(parsed.tree);
          files.push({ root: parsed.root, imports: importsByName(parsed.root), importPath });
        } catch {
          // A file that does not parse cannot declare anything the test needs.
        }
      }
    }
    this.packages.set(importPath, files);
    return files;
  }

  async type(importPath: string, name: string): Promise<Declared | undefined> {
    for (const file of await this.files(importPath)) {
      const spec = findTypeSpec(file.root, name);
      if (spec) return { node: spec, file };
    }
    return undefined;
  }

  async func(importPath: string, name: string): Promise<Declared | undefined> {
    for (const file of await this.files(importPath)) {
      const fn = childrenOfKind(file.root, 'function_declaration').find((f) => f.childForFieldName('name')?.text === name);
      if (fn) return { node: fn, file };
    }
    return undefined;
  }

  async method(importPath: string, receiver: string, name: string): Promise<Declared | undefined> {
    for (const file of await this.files(importPath)) {
      const m = childrenOfKind(file.root, 'method_declaration').find((d) => receiverTypeName(d) === receiver && d.childForFieldName('name')?.text === name);
      if (m) return { node: m, file };
    }
    return undefined;
  }

  /** The named type a type node refers to (through `*` and `[]`), looked up where it is declared. */
  async resolve(type: Node, file: GoFile): Promise<Declared | undefined> {
    let node: Node | null = type;
    while (isKind(node, 'pointer_type') || isKind(node, 'slice_type')) node = isKind(node, 'slice_type') ? node.childForFieldName('element') : node.namedChildren[0] ?? null;
    if (isKind(node, 'qualified_type')) {
      const path = file.imports.get(node.childForFieldName('package')?.text ?? '');
      return path === undefined ? undefined : this.type(path, node.childForFieldName('name')?.text ?? '');
    }
    if (isKind(node, 'type_identifier') && !PREDECLARED.has(node.text)) return this.type(file.importPath, node.text);
    return undefined;
  }

  /**
   * The whole method set of an interface type: its own methods and those of the interfaces it
   * embeds, followed into their packages. Undefined when it is not an interface, or an embedded
   * interface cannot be found (then no fake can implement it).
   */
  async methodSet(declared: Declared, seen = new Set<number>()): Promise<MethodSignature[] | undefined> {
    const { node: spec, file } = declared;
    // A type alias (`type Pod = other.Pod`) leads to the declaration it names.
    if (isKind(spec, 'type_alias')) {
      const target = await this.resolve(spec.childForFieldName('type')!, file);
      if (!target) return undefined;
      return this.methodSet(target, seen);
    }
    const iface = spec.childForFieldName('type');
    if (!isKind(iface, 'interface_type') || seen.has(spec.id)) return isKind(iface, 'interface_type') ? [] : undefined;
    seen.add(spec.id);
    const methods: MethodSignature[] = [];
    for (const member of iface.namedChildren) {
      if (isKind(member, 'method_elem')) {
        methods.push({ name: member.childForFieldName('name')?.text ?? '', params: slots(member.childForFieldName('parameters')), results: slots(member.childForFieldName('result')), file });
      } else if (isKind(member, 'type_elem')) {
        for (const embedded of member.namedChildren) {
          if (!embedded) continue;
          const target = await this.resolve(embedded, file);
          const inner = target && (await this.methodSet(target, seen));
          if (!inner) return undefined;
          methods.push(...inner.filter((m) => !methods.some((o) => o.name === m.name)));
        }
      }
    }
    return methods;
  }

  /** Frees the syntax trees (WebAssembly memory). No node may be used afterwards. */
  dispose(): void {
    for (const tree of this.trees.splice(0)) tree.delete();
    this.packages.clear();
  }
}

/** The parameters (or results) of a signature, one slot per name (`a, b int` gives two). */
export function slots(list: Node | null | undefined): Slot[] {
  if (!list) return [];
  if (!isKind(list, 'parameter_list')) return [{ type: list, variadic: false }];
  return list.namedChildren.flatMap((decl) => {
    if (!decl) return [];
    const type = decl.childForFieldName('type');
    if (!type) return [];
    const variadic = isKind(decl, 'variadic_parameter_declaration');
    const names = decl.childrenForFieldName('name').filter((n) => n != null).length;
    return Array.from({ length: Math.max(1, names) }, () => ({ type, variadic }));
  });
}

/**
 * A type as code of another package writes it: every package-local name qualified with the
 * declaring package, every qualified name with the generated file's own import name.
 */
export function typeText(type: Node, file: GoFile, imports: ImportSet): string {
  const base = type.startIndex;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const visit = (node: Node) => {
    if (isKind(node, 'qualified_type')) {
      const path = file.imports.get(node.childForFieldName('package')?.text ?? '');
      const name = node.childForFieldName('name')?.text ?? '';
      if (path !== undefined) edits.push({ start: node.startIndex - base, end: node.endIndex - base, text: `${imports.name(path)}.${name}` });
      return;
    }
    if (isKind(node, 'type_identifier')) {
      if (!PREDECLARED.has(node.text)) edits.push({ start: node.startIndex - base, end: node.endIndex - base, text: `${imports.name(file.importPath)}.${node.text}` });
      return;
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(type);
  let text = type.text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

/** The struct a type declaration describes (following one alias), with its file. */
export async function structOf(source: GoSource, declared: Declared): Promise<Declared | undefined> {
  if (isKind(declared.node, 'type_alias')) {
    const target = await source.resolve(declared.node.childForFieldName('type')!, declared.file);
    return target && structOf(source, target);
  }
  return isKind(declared.node.childForFieldName('type'), 'struct_type') ? declared : undefined;
}

/** A struct's fields, embedded ones under the name Go gives them (their type's name). */
export function fieldsOf(struct: Declared): Array<{ name: string; type: Node; embedded: boolean }> {
  const body = struct.node.childForFieldName('type');
  if (!body) return [];
  return descendantsOfKind(body, 'field_declaration')
    .filter((f) => f.parent?.parent?.id === body.id)
    .flatMap((f): Array<{ name: string; type: Node; embedded: boolean }> => {
      const type = f.childForFieldName('type');
      if (!type) return [];
      const names = f.childrenForFieldName('name').filter((n): n is Node => n != null);
      if (names.length > 0) return names.map((n) => ({ name: n.text, type, embedded: false }));
      let inner: Node | null = type;
      if (isKind(inner, 'pointer_type')) inner = inner.namedChildren[0] ?? null;
      const name = isKind(inner, 'qualified_type') ? inner.childForFieldName('name')?.text : inner?.text;
      return name ? [{ name, type, embedded: true }] : [];
    });
}
