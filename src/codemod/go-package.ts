import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { parseGo } from './go-parser.ts';
import { findTypeSpec } from './go-syntax.ts';

/** The module a file belongs to: the nearest go.mod at or above it, within `treeRoot`. */
export interface GoModule {
  readonly dir: string;
  readonly path: string;
}

export function moduleOf(file: string, treeRoot: string): GoModule | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const goMod = join(dir, 'go.mod');
    if (existsSync(goMod)) {
      const path = /^module\s+("?)([^\s"]+)\1\s*$/m.exec(readFileSync(goMod, 'utf8'))?.[2];
      return path ? { dir, path } : undefined;
    }
    if (dir === treeRoot || relative(treeRoot, dir).startsWith('..') || dirname(dir) === dir) return undefined;
  }
}

/**
 * Looks up type declarations in the packages of one module, parsing a package's files only when a
 * lookup needs them. Tree-sitter has no type checker; this is how the patches learn, for example,
 * which accessor an endpoint interface declares or which field `ProfileRunResult` has.
 */
export class PackageIndex {
  /** Parsed files by path; undefined for a file that does not parse. */
  private readonly parsed = new Map<string, Node | undefined>();
  /** The trees this index parsed itself; the caller's `known` files stay the caller's to free. */
  private readonly owned: Tree[] = [];
  readonly module: GoModule;

  /** `known`: files the caller has parsed already, reused instead of parsed again. */
  constructor(module: GoModule, known: ReadonlyMap<string, Node> = new Map()) {
    this.module = module;
    for (const [path, root] of known) this.parsed.set(path, root);
  }

  /** The folder of an import path of this module, or undefined for other modules. */
  dirOf(importPath: string): string | undefined {
    if (importPath === this.module.path) return this.module.dir;
    if (!importPath.startsWith(this.module.path + '/')) return undefined;
    return join(this.module.dir, ...importPath.slice(this.module.path.length + 1).split('/'));
  }

  importPathOf(dir: string): string {
    const rel = relative(this.module.dir, dir);
    return rel === '' ? this.module.path : `${this.module.path}/${rel.split(sep).join('/')}`;
  }

  /** The `type <name> ...` spec declared in the package at `dir`, if a file of it declares one. */
  async findType(dir: string, name: string): Promise<Node | undefined> {
    if (!existsSync(dir)) return undefined;
    const files = readdirSync(dir)
      .filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'))
      .sort()
      .map((n) => join(dir, n));
    // Files parsed already (the target file among them) are searched first: they cost nothing,
    // and a package declares each name once, so the order cannot change the answer.
    const parsedFirst = [...files.filter((f) => this.parsed.has(f)), ...files.filter((f) => !this.parsed.has(f))];
    for (const file of parsedFirst) {
      if (!this.parsed.has(file)) {
        const text = readFileSync(file, 'utf8');
        // Only a file that mentions the name can declare it; the others are never parsed.
        if (!text.includes(name)) continue;
        // A file we cannot parse cannot hold a type we need; the target files themselves are
        // parsed strictly elsewhere.
        this.parsed.set(
          file,
          await parseGo(text, file).then(
            (parsed) => {
              this.owned.push(parsed.tree);
              return parsed.root;
            },
            () => undefined,
          ),
        );
      }
      const root = this.parsed.get(file);
      const spec = root && findTypeSpec(root, name);
      if (spec) return spec;
    }
    return undefined;
  }

  /**
   * Frees the syntax trees this index parsed (WebAssembly memory, which no garbage collector
   * reclaims; `instrument check` plans many trees in one process). No node it returned may be
   * used afterwards.
   */
  dispose(): void {
    for (const tree of this.owned.splice(0)) tree.delete();
  }
}
