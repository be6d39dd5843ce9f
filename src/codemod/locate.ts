import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import { TARGET_KINDS, type TargetKind } from './patch.ts';

/** The llm-d checkout inside a workspace, and the vendored GIE copy inside that. */
export const LLMD_DIR = 'llm-d-inference-scheduler';
export const VENDORED_GIE_DIR = join('_deps', 'gateway-api-inference-extension');
export const GIE_MODULE = 'sigs.k8s.io/gateway-api-inference-extension';

/** The module paths of llm-d's go.mod: before and after the rename to llm-d-router (May 2026). */
export const LLMD_MODULES = ['github.com/llm-d/llm-d-inference-scheduler', 'github.com/llm-d/llm-d-router'] as const;

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
  /** One sentence saying what was found and how, printed once by every command that uses the tree. */
  readonly found: string;
}

/** A tree as reported to users and scripts. */
export interface TreeSummary {
  readonly root: string;
  readonly sources: string;
  readonly layout: SourceTree['layout'];
  readonly found: string;
}

export function summarizeTree(tree: SourceTree): TreeSummary {
  return { root: tree.root, sources: relative(tree.root, tree.sources) || '.', layout: tree.layout, found: tree.found };
}

export interface TreeOptions {
  /**
   * The workspace holding the llm-d tree, the llm-d tree itself, or a folder inside it. Defaults to
   * the current folder.
   */
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

/** The module path a folder's go.mod declares, if it has one. */
export function declaredModule(dir: string): string | undefined {
  const goMod = join(dir, 'go.mod');
  if (!existsSync(goMod)) return undefined;
  return /^module\s+("?)([^\s"]+)\1\s*$/m.exec(readFileSync(goMod, 'utf8'))?.[2];
}

/** An llm-d tree: its go.mod declares llm-d's module, or (the seed's layout) it is named llm-d-inference-scheduler/. */
function isLlmdTree(dir: string): boolean {
  if (basename(dir) === LLMD_DIR) return true;
  const module = declaredModule(dir);
  return module !== undefined && (LLMD_MODULES as readonly string[]).includes(module);
}

/** The folders directly in `dir` that are llm-d trees, whatever they are called. */
function llmdTreesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || (e.isSymbolicLink() && statSync(join(dir, e.name), { throwIfNoEntry: false })?.isDirectory())) && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .filter(isLlmdTree)
    .sort();
}

/**
 * The llm-d tree a folder names: a folder in it (the workspace), or the folder itself or the first
 * folder above it whose go.mod declares llm-d's module (run from inside the tree, at any depth).
 */
export function findLlmdTree(start: string): { llmd: string; how: string } | undefined {
  const inside = llmdTreesIn(start);
  if (inside.length > 1) {
    throw new UsageError(
      `${start} holds ${inside.length} llm-d trees (${inside.map((d) => basename(d) + '/').join(', ')}), and instrument keeps one record per workspace`,
      'Keep one llm-d tree per folder (move the others elsewhere), or point --source at the one to patch.',
    );
  }
  if (inside.length === 1) return { llmd: inside[0]!, how: `in ${start}` };
  for (let dir = start; ; dir = dirname(dir)) {
    if (isLlmdTree(dir)) return { llmd: dir, how: dir === start ? `at ${start}` : `above ${start}` };
    if (dirname(dir) === dir) return undefined;
  }
}

/** Neither the folder, nor a folder in it or above it, is an llm-d tree. */
export class NoLlmdTreeError extends UsageError {}

/**
 * The workspace a command that reads no sources (load, deploy, logs…) takes its
 * instrument.config.json from: the same tree apply would work on, named the same ways; when there
 * is none, the named folder itself (the configuration does not need the sources).
 */
export function findWorkspace(options: TreeOptions): { root: string; found: string; tree: SourceTree | undefined } {
  try {
    const tree = resolveTree(options);
    return { root: tree.root, found: tree.found, tree };
  } catch (error) {
    if (!(error instanceof NoLlmdTreeError)) throw error;
    const root = existingDir(resolve(options.cwd, options.root ?? '.'), options.root === undefined ? 'the current folder' : '--root');
    return { root, found: `no llm-d tree in or above ${root}; workspace ${root}`, tree: undefined };
  }
}

/**
 * The tree a command works on. With --source, that tree as it is. Otherwise the llm-d tree that
 * --root (default: the current folder) names, see findLlmdTree; its parent folder is the workspace,
 * where instrument keeps its record, so that every way of naming the tree finds the same record.
 */
export function resolveTree(options: TreeOptions): SourceTree {
  if (options.source !== undefined) {
    const dir = existingDir(resolve(options.cwd, options.source), '--source');
    return { root: dir, sources: dir, layout: 'source', llmd: undefined, found: `EPP sources: ${dir} (--source)` };
  }
  const start = existingDir(resolve(options.cwd, options.root ?? '.'), options.root === undefined ? 'the current folder' : '--root');
  const named = join(start, LLMD_DIR);
  if (statSync(named, { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(
      `${named} is a file, not the llm-d checkout (a folder) instrument looks for`,
      `Run instrument in the workspace whose ${LLMD_DIR}/ is the llm-d checkout, or point --source at the tree that holds the EPP.`,
    );
  }
  const found = findLlmdTree(start);
  if (!found) {
    throw new NoLlmdTreeError(
      `no llm-d tree in or above ${start}: no folder there holds a go.mod declaring ${LLMD_MODULES.join(' or ')}, and none is named ${LLMD_DIR}/`,
      `Run instrument in the llm-d checkout (or any folder in it), in the folder that holds it, or pass --root <dir>; or point --source at any tree that holds the EPP (a GIE or llm-d checkout).`,
    );
  }
  const { llmd } = found;
  const root = dirname(llmd);
  const siblings = llmdTreesIn(root);
  if (siblings.length > 1) {
    throw new UsageError(
      `the workspace ${root} holds ${siblings.length} llm-d trees (${siblings.map((d) => basename(d) + '/').join(', ')}), and instrument keeps one record per workspace`,
      'Keep one llm-d tree per folder (move the others elsewhere), or point --source at the one to patch.',
    );
  }
  const module = declaredModule(llmd);
  const what = `llm-d tree ${basename(llmd)}/${module ? ` (module ${module})` : ''} found ${found.how}; workspace ${root}`;
  const vendored = join(llmd, VENDORED_GIE_DIR);
  if (existsSync(vendored)) return { root, sources: vendored, layout: 'vendored', llmd, found: `${what}; EPP sources: the vendored GIE copy ${relative(root, vendored)}/` };
  return { root, sources: llmd, layout: 'in-tree', llmd, found: `${what}; EPP sources: ${basename(llmd)}/ itself` };
}

/**
 * What identifies each target file: the method it declares. `needle` is a plain substring that
 * every gofmt-formatted receiver `(p *SchedulerProfile)` contains; only files holding it are tested
 * with the signature pattern.
 */
const TARGETS: Record<TargetKind, { needle: string; signature: RegExp }> = {
  scheduler: { needle: 'Scheduler)', signature: /func\s*\(\s*\w+\s+\*\s*Scheduler\s*\)\s*Schedule\s*\(/ },
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
        const text = readGoText(path);
        let code: string | undefined;
        for (const kind of TARGET_KINDS) {
          const { needle, signature } = TARGETS[kind];
          // A comment or a string that quotes the signature declares nothing: the rare file whose
          // text matches is tested again with its comments and strings blanked out.
          if (text.includes(needle) && signature.test(text) && signature.test((code ??= blankCommentsAndStrings(text)))) found[kind].push(path);
        }
      }
    }
    yield;
  }
  yield* walk(sources);
  for (const kind of TARGET_KINDS) found[kind].sort();
}

/**
 * A Go file's text for the search. One too large for a string (about 512 MB) cannot be the EPP's
 * and cannot be searched: it is reported with where it is, rather than failing as a bug.
 */
function readGoText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') throw error;
    throw new OperationError(
      `${path} is too large to search (${Math.round(statSync(path).size / 2 ** 20)} MB); instrument reads every .go file of the tree to find the EPP`,
      'Move that file out of the tree (or out of the way of a leading "_" or "." folder, which instrument skips), or point --source at the folder that holds the EPP.',
    );
  }
}

/**
 * `text` with every comment and string or rune literal replaced by spaces (line breaks kept), so
 * that what is left is code and its offsets and lines are the original's.
 */
export function blankCommentsAndStrings(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    const next = text[i + 1];
    let end: number;
    if (c === '/' && next === '/') {
      end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
    } else if (c === '/' && next === '*') {
      end = text.indexOf('*/', i + 2);
      end = end < 0 ? text.length : end + 2;
    } else if (c === '`') {
      end = text.indexOf('`', i + 1);
      end = end < 0 ? text.length : end + 1;
    } else if (c === '"' || c === "'") {
      end = i + 1;
      while (end < text.length && text[end] !== c && text[end] !== '\n') end += text[end] === '\\' ? 2 : 1;
      end = Math.min(end + 1, text.length);
    } else {
      i++;
      continue;
    }
    blank(i, end);
    i = end;
  }
  return out.join('');
}

/** 1-based line of the declaration of a target's method in a file (comments and strings left out). */
export function declarationLine(path: string, kind: TargetKind): number | undefined {
  const code = blankCommentsAndStrings(readFileSync(path, 'utf8'));
  const match = TARGETS[kind].signature.exec(code);
  return match ? code.slice(0, match.index).split('\n').length : undefined;
}

/** Files under `sources` whose text declares a target method (see searchTargets). */
export function findTargetFiles(sources: string): Record<TargetKind, string[]> {
  const found: Record<TargetKind, string[]> = { scheduler: [], profile: [], server: [] };
  for (const _ of searchTargets(sources, found));
  return found;
}

/**
 * findTargetFiles, letting other work run every few milliseconds: V8 needs the main thread for
 * moments to start and finish compiling the parser in the background (codemod/go-wasm.ts), and
 * a search that held the thread throughout would leave it waiting until the search ends.
 */
export async function findTargetFilesYielding(sources: string): Promise<Record<TargetKind, string[]>> {
  const found: Record<TargetKind, string[]> = { scheduler: [], profile: [], server: [] };
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
