import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyFixture, FIXTURES, TARGET_FILES, tempDir, type Shape } from './fixtures.ts';

/**
 * Unit tests added to a tree (test/go-fixtures/extra-tests): `quiet` is broken by the patches (g12
 * only), `needs-cluster` fails with or without them.
 */
export type ExtraTest = 'quiet' | 'needs-cluster';

/** What one commit of the test upstream holds. */
export type UpstreamTree =
  | {
      readonly shape: Shape;
      /** GIE v1.4.0 and later: a go.work over the module and ./conformance, whose build writes go.work.sum. */
      readonly goWork?: boolean;
      readonly extraTests?: readonly ExtraTest[];
      /** Changes the copied tree before it is committed (a reproduction of an upstream change). */
      readonly mutate?: (dir: string) => void;
    }
  /** GIE v1.6.0: the EPP is gone, only the lightweight EPP is left. */
  | { readonly noEpp: true }
  /** Two files declare SchedulerProfile.Run. */
  | { readonly ambiguous: Shape }
  /** A field the patches read is renamed everywhere: upstream compiles, the patched code does not. */
  | { readonly renamedField: 'g12' };

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=upstream', '-c', 'user.email=upstream@example.invalid', ...args], { cwd, stdio: 'pipe' }).toString();

function fill(dir: string, tree: UpstreamTree): void {
  if ('shape' in tree) {
    copyFixture(tree.shape, dir);
    if (tree.goWork) addGoWork(dir);
    tree.mutate?.(dir);
    for (const test of tree.extraTests ?? []) {
      const into = test === 'quiet' ? dirname(TARGET_FILES[tree.shape].scheduler) : dirname(TARGET_FILES[tree.shape].server);
      cpSync(join(FIXTURES, 'extra-tests', `${test.replace('-', '_')}_test.go`), join(dir, into, `${test.replace('-', '_')}_test.go`));
    }
  }
  else if ('noEpp' in tree) writeLightweightEppTree(dir); else if ('ambiguous' in tree) {
    copyFixture(tree.ambiguous, dir);
    const copy = join(dir, 'pkg', 'epp', 'scheduling', 'v2');
    mkdirSync(copy, { recursive: true });
    cpSync(join(dir, TARGET_FILES[tree.ambiguous].profile), join(copy, 'scheduler_profile.go'));
  } else {
    copyFixture(tree.renamedField, dir);
    renameEverywhere(dir);
  }
}

/**
 * The shape of GIE v1.6.0 and later: no pkg/epp, only the lightweight EPP, whose handlers package
 * declares a StreamingServer with a Process method of the same name as the EPP's.
 */
export function writeLightweightEppTree(dir: string): void {
  mkdirSync(join(dir, 'pkg', 'lwepp', 'handlers'), { recursive: true });
  mkdirSync(join(dir, 'cmd', 'lwepp'), { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module sigs.k8s.io/gateway-api-inference-extension\n\ngo 1.25.0\n');
  writeFileSync(
    join(dir, 'pkg', 'lwepp', 'handlers', 'server.go'),
    [
      '// instrument test fixture: the shape of GIE v1.6.0, which has no EPP, only the lightweight one.',
      'package handlers',
      '',
      '// Stream is what Process reads requests from.',
      'type Stream interface{ Recv() (string, error) }',
      '',
      '// StreamingServer answers the gateway with a fixed endpoint.',
      'type StreamingServer struct{ endpoint string }',
      '',
      '// Process serves one stream until it ends.',
      'func (s *StreamingServer) Process(srv Stream) error {',
      '\tfor {',
      '\t\tif _, err := srv.Recv(); err != nil {',
      '\t\t\treturn err',
      '\t\t}',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'cmd', 'lwepp', 'main.go'), '// instrument test fixture: the lightweight EPP\'s command.\npackage main\n\nfunc main() {}\n');
}

/**
 * The workspace shape of GIE v1.4.0 and later: go.work uses the module and ./conformance. The
 * conformance module asks for a version of a dependency whose checksum no go.sum holds, so the go
 * command writes it to go.work.sum on the first build, as it does in the real trees.
 */
function addGoWork(dir: string): void {
  writeFileSync(join(dir, 'go.work'), 'go 1.25.0\n\nuse (\n\t.\n\t./conformance\n)\n');
  mkdirSync(join(dir, 'conformance'));
  writeFileSync(join(dir, 'conformance', 'go.mod'), 'module sigs.k8s.io/gateway-api-inference-extension/conformance\n\ngo 1.25.0\n\nrequire github.com/google/uuid v1.5.0\n');
  writeFileSync(join(dir, 'conformance', 'conformance.go'), '// instrument test fixture: the conformance module of the GIE v1.4.0 workspace shape.\npackage conformance\n\nimport "github.com/google/uuid"\n\n// NewID names a conformance run.\nvar NewID = uuid.NewString\n');
}

/** Renames PodInfo.NamespacedName to Key in every Go file (types.NamespacedName, the type, stays). */
function renameEverywhere(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.go')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'utf8');
    const renamed = text
      .replace(/\bNamespacedName types\.NamespacedName/g, 'Key types.NamespacedName')
      .replace(/\bNamespacedName: k8stypes\./g, 'Key: k8stypes.')
      .replace(/(GetPod\(\)|\bp)\.NamespacedName\b/g, '$1.Key');
    if (renamed !== text) writeFileSync(path, renamed);
  }
}

/**
 * A local git repository standing in for an upstream: one commit per entry, each tagged (or put on
 * a branch) with its ref.
 */
export function makeUpstream(entries: ReadonlyArray<{ readonly ref: string; readonly branch?: boolean; readonly tree: UpstreamTree }>, dir = join(tempDir(), 'upstream')): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch', 'main');
  for (const { ref, branch, tree } of entries) {
    for (const name of readdirSync(dir)) if (name !== '.git') rmSync(join(dir, name), { recursive: true, force: true });
    fill(dir, tree);
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '--allow-empty', '-m', `upstream ${ref}`);
    if (branch) git(dir, 'branch', '--force', ref);
    else git(dir, 'tag', ref);
  }
  return dir;
}

/** Every upstream shape, as the tags and branches of GIE and llm-d-router carry them. */
export const EVERY_SHAPE = [
  { ref: 'v0.4.0', tree: { shape: 'g040' } },
  { ref: 'v0.5.1', tree: { shape: 'g05' } },
  { ref: 'v1.0.0', tree: { shape: 'g10' } },
  { ref: 'v1.1.0', tree: { shape: 'g11' } },
  { ref: 'v1.2.0', tree: { shape: 'g12' } },
  { ref: 'v1.3.1', tree: { shape: 'g131' } },
  { ref: 'fd30cb9-main', branch: true, tree: { shape: 'gps' } },
  { ref: 'v1.4.0', tree: { shape: 'g14' } },
  { ref: 'v1.5.0', tree: { shape: 'g15' } },
  { ref: 'router-main', branch: true, tree: { shape: 'lh' } },
] as const satisfies ReadonlyArray<{ ref: string; branch?: boolean; tree: UpstreamTree }>;
