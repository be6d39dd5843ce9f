import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import type { TargetKind } from './patch.ts';

/** The llm-d checkout inside a workspace, and the vendored GIE copy inside that. */
export const LLMD_DIR = 'llm-d-inference-scheduler';
export const VENDORED_GIE_DIR = join('_deps', 'gateway-api-inference-extension');
export const GIE_MODULE = 'sigs.k8s.io/gateway-api-inference-extension';

/**
 * Where a run works. `root` is the folder instrument owns for the run: its state lives in
 * `root/.instrument` and nothing is ever written outside `root`. The EPP sources are searched for
 * under `sources`.
 */
export interface SourceTree {
  readonly root: string;
  readonly sources: string;
  /** `vendored`: workspace with llm-d + `_deps` GIE copy; `in-tree`: workspace with the EPP in llm-d itself; `source`: any tree given with --source. */
  readonly layout: 'vendored' | 'in-tree' | 'source';
  /** The llm-d checkout, for the workspace layouts. */
  readonly llmd: string | undefined;
}

/** A tree as reported to users and scripts. */
export interface TreeSummary {
  readonly root: string;
  readonly sources: string;
  readonly layout: SourceTree['layout'];
}

export function summarizeTree(tree: SourceTree): TreeSummary {
  return { root: tree.root, sources: relative(tree.root, tree.sources) || '.', layout: tree.layout };
}

export interface TreeOptions {
  /** The workspace holding `llm-d-inference-scheduler/`. Defaults to the current folder. */
  readonly root?: string | undefined;
  /** Any tree holding the EPP sources (a GIE or llm-d checkout); overrides the workspace search. */
  readonly source?: string | undefined;
  readonly cwd: string;
}

function existingDir(path: string, flag: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new UsageError(`${flag} ${path}: no such folder`, `Pass a folder that exists.`);
  }
  return realpathSync(path);
}

export function resolveTree(options: TreeOptions): SourceTree {
  if (options.source !== undefined) {
    const dir = existingDir(resolve(options.cwd, options.source), '--source');
    return { root: dir, sources: dir, layout: 'source', llmd: undefined };
  }
  const root = existingDir(resolve(options.cwd, options.root ?? '.'), options.root === undefined ? 'the current folder' : '--root');
  const llmd = join(root, LLMD_DIR);
  if (!existsSync(llmd)) {
    throw new UsageError(
      `${root} holds no ${LLMD_DIR}/ folder, so it is not an llm-d workspace`,
      `Run instrument in the folder that holds ${LLMD_DIR}/, pass --root <workspace>, or point --source at any tree that holds the EPP (a GIE or llm-d checkout).`,
    );
  }
  const vendored = join(llmd, VENDORED_GIE_DIR);
  if (existsSync(vendored)) return { root, sources: vendored, layout: 'vendored', llmd };
  return { root, sources: llmd, layout: 'in-tree', llmd };
}

/**
 * What identifies each target file: the method it declares. `needle` is a plain substring that
 * every gofmt-formatted receiver `(p *SchedulerProfile)` contains; only files holding it are tested
 * with the signature pattern.
 */
const TARGETS: Record<TargetKind, { needle: string; signature: RegExp }> = {
  profile: { needle: 'SchedulerProfile)', signature: /func\s*\(\s*\w+\s+\*\s*SchedulerProfile\s*\)\s*Run\s*\(/ },
  server: { needle: 'StreamingServer)', signature: /func\s*\(\s*\w+\s+\*\s*StreamingServer\s*\)\s*Process\s*\(/ },
};

/** Folders Go itself ignores, and ones that never hold the EPP. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name === 'testdata' || name === 'vendor' || name === 'node_modules' || isLightweightEpp(name);
}

/**
 * GIE v1.6.0 and later keep only a "lightweight EPP" (pkg/lwepp, cmd/lwepp). Its handlers package
 * declares a StreamingServer.Process too, but it is not the EPP and has none of its scheduling, so
 * its folders are never searched: such a tree then reads as one without the EPP, as it is.
 */
function isLightweightEpp(folderName: string): boolean {
  return folderName === 'lwepp';
}

function isGoFile(name: string): boolean {
  return name.endsWith('.go') && !name.endsWith('_test.go');
}

/**
 * Searches the files under `sources` for the target methods, adding each file that declares one to
 * `found`, and pauses after each folder. No Go file is parsed here, and linked folders are not
 * followed.
 */
function* searchTargets(sources: string, found: Record<TargetKind, string[]>): Generator<void, void, void> {
  // Paths are joined by hand: the folder is already normalized and an entry name holds no
  // separator, and path.join's normalizing is a measurable share of the walk.
  function* walk(dir: string): Generator<void, void, void> {
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!skipped(entry.name)) yield* walk(prefix + entry.name);
        continue;
      }
      if (!isGoFile(entry.name)) continue;
      const path = prefix + entry.name;
      if (entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile())) {
        // Linked files are read so that they can be reported; writing through a link that leads
        // out of the tree is refused later (writablePath). Read as UTF-8 text because Node opens,
        // reads, decodes and closes in one native call for that encoding, a fifth faster on 2,000
        // files than reading into a buffer (system calls and their wrappers are most of the walk);
        // a byte that is not UTF-8 decodes to U+FFFD, which no needle or signature contains.
        const text = readFileSync(path, 'utf8');
        for (const kind of ['profile', 'server'] as const) {
          const { needle, signature } = TARGETS[kind];
          if (text.includes(needle) && signature.test(text)) found[kind].push(path);
        }
      }
    }
    yield;
  }
  yield* walk(sources);
  for (const kind of ['profile', 'server'] as const) found[kind].sort();
}

/** Files under `sources` whose text declares a target method (see searchTargets). */
export function findTargetFiles(sources: string): Record<TargetKind, string[]> {
  const found: Record<TargetKind, string[]> = { profile: [], server: [] };
  for (const _ of searchTargets(sources, found));
  return found;
}

/**
 * findTargetFiles, letting other work run every few milliseconds: V8 needs the main thread for
 * moments to start and finish compiling the parser in the background (codemod/go-wasm.ts), and
 * a search that held the thread throughout would leave it waiting until the search ends.
 */
export async function findTargetFilesYielding(sources: string): Promise<Record<TargetKind, string[]>> {
  const found: Record<TargetKind, string[]> = { profile: [], server: [] };
  // Date.now rather than performance.now, whose global loads perf_hooks: a millisecond of each start.
  let since = Date.now();
  for (const _ of searchTargets(sources, found)) {
    if (Date.now() - since < 2) continue;
    await new Promise((resolve) => setImmediate(resolve));
    since = Date.now();
  }
  return found;
}

/** A tree without the EPP sources (GIE v1.6.0 and later, or the wrong folder). */
export class NoEppError extends OperationError {}

/** The "no EPP here" error, which says what the tree is instead when it can. */
export function noEppError(tree: SourceTree): NoEppError {
  const lwepp = existsSync(join(tree.sources, 'pkg', 'lwepp'));
  const where = relative(tree.root, tree.sources) || tree.sources;
  return new NoEppError(
    `no EPP sources in ${where}: no file declares func (*SchedulerProfile) Run or func (*StreamingServer) Process`,
    lwepp
      ? 'This looks like GIE v1.6.0 or later, which no longer contains the EPP (only pkg/lwepp). The EPP moved to llm-d-router: point --source at an llm-d-router checkout, or use a workspace whose llm-d-inference-scheduler/ holds pkg/epp.'
      : 'Point --source at a checkout that holds pkg/epp (GIE v0.4.0 to v1.5.0, or llm-d-router), or run `instrument vendor` to fill _deps/ in your workspace.',
  );
}

/**
 * Resolves where a write to `path` would land and refuses anything outside `root`, following
 * symbolic links in the path and in the file itself.
 */
export function writablePath(root: string, path: string): string {
  let target = path;
  if (existsSync(path) && lstatSync(path).isSymbolicLink()) target = realpathSync(path);
  const resolved = join(realpathSync(dirname(target)), basename(target));
  const rel = relative(root, resolved);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new OperationError(
      `refusing to write ${path}: it resolves to ${resolved}, outside ${root}`,
      'instrument only writes inside the tree it works on. Replace the symbolic link with the file, or run on the tree it points into.',
    );
  }
  return resolved;
}
