import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'web-tree-sitter';
import { describe, expect, it, vi } from 'vitest';
import { PackageIndex } from '../../src/codemod/go-package.ts';
import { parseGo } from '../../src/codemod/go-parser.ts';
import { interfaceMembers } from '../../src/codemod/go-syntax.ts';
import { tempDir } from '../helpers/fixtures.ts';

function goPackage(): { module: { dir: string; path: string }; dir: string } {
  const root = tempDir();
  const dir = join(root, 'pkg', 'types');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'go.mod'), 'module example.com/epp\n\ngo 1.22\n');
  writeFileSync(join(dir, 'endpoint.go'), 'package types\n\ntype Endpoint interface {\n\tGetMetadata() *Metadata\n}\n');
  writeFileSync(join(dir, 'metadata.go'), 'package types\n\ntype Metadata struct {\n\tAddress string\n}\n');
  writeFileSync(join(dir, 'unrelated.go'), 'package types\n\nfunc helper() int { return 1 }\n');
  return { module: { dir: root, path: 'example.com/epp' }, dir };
}

describe('PackageIndex', () => {
  it('finds a type in the package of an import path, and reports one that is not declared', async () => {
    const { module, dir } = goPackage();
    const index = new PackageIndex(module);
    const spec = await index.findType(index.dirOf('example.com/epp/pkg/types')!, 'Endpoint');
    expect(interfaceMembers(spec!).methods).toEqual(['GetMetadata']);
    expect(await index.findType(dir, 'Missing')).toBeUndefined();
    index.dispose();
  });

  it('frees the trees it parsed on dispose, and leaves the caller its own', async () => {
    const { module, dir } = goPackage();
    const own = await parseGo('package types\n\ntype Local struct{}\n', 'local.go');
    const index = new PackageIndex(module, new Map([[join(dir, 'local.go'), own.root]]));
    const endpoint = await index.findType(dir, 'Endpoint');
    const metadata = await index.findType(dir, 'Metadata');
    const freed = [vi.spyOn(endpoint!.tree, 'delete'), vi.spyOn(metadata!.tree, 'delete')];
    const kept = vi.spyOn(own.tree, 'delete');

    index.dispose();
    expect(freed.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
    expect(kept).not.toHaveBeenCalled();
    index.dispose(); // a second call frees nothing twice
    expect(freed.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
    own.tree.delete();
  });

  it('looks in the files it was given before parsing others that only mention the name', async () => {
    const { module, dir } = goPackage();
    const serverText = 'package types\n\ntype Server struct {\n\tname string\n}\n';
    writeFileSync(join(dir, 'server.go'), serverText);
    writeFileSync(join(dir, 'a_methods.go'), 'package types\n\nfunc (s *Server) helper() int { return 1 }\n');
    const server = await parseGo(serverText, 'server.go');
    const index = new PackageIndex(module, new Map([[join(dir, 'server.go'), server.root]]));
    const parse = vi.spyOn(Parser.prototype, 'parse');
    try {
      const spec = await index.findType(dir, 'Server');
      expect(spec?.childForFieldName('name')?.text).toBe('Server');
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
      index.dispose();
      server.tree.delete();
    }
  });
});
