import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { InternalError, OperationError, ParseError, UsageError } from '../errors.ts';
import { PATCH_POINTS } from '../patches/index.ts';
import { HELPER_FILE_NAME, helperText } from '../patches/run-record.ts';
import { commitEdits, type Edit } from './edits.ts';
import { PackageIndex, moduleOf } from './go-package.ts';
import { lineOf } from './binding.ts';
import { childrenOfKind, descendantsOfKind, goLanguage, isKind, parseGo, queryMatches, reparseGo, type ParsedGo } from './go-parser.ts';
import { callsOf, importsByName, methodsByName, statementHolding, statements } from './go-syntax.ts';
import { declarationLine, findTargetFilesYielding, noEppError, writablePath, type SourceTree } from './locate.ts';
import { isCreatedFile, removeRanges, renderBlock, scanMarkers } from './markers.ts';
import { TARGET_KINDS, TARGET_METHODS, type ExtraBlock, type PatchContext, type PatchPoint, type Placement, type Refusal, type TargetKind } from './patch.ts';
import { decodeSource, indentationAt, lineStart, nextLineStart, type SourceText } from './source-text.ts';
import { fillTemplate } from './template.ts';
import { planVendoredReplace } from './workspace.ts';

export type PointStatus = 'placed' | 'applied' | 'missing' | 'ambiguous';

export interface PointOutcome {
  readonly id: string;
  readonly title: string;
  readonly status: PointStatus;
  /** The file, relative to the tree root, when one was found. */
  readonly file: string | undefined;
  /** 1-based line of the block's begin marker in the patched file. */
  readonly line: number | undefined;
  readonly searchedFor: string;
  /** Why a point is missing or ambiguous: what was found instead, with file and line. */
  readonly detail: string | undefined;
  /** The rules that refused it (`result-repicked`, `anchor-in-header`, `two-files`, ...), when any. */
  readonly codes?: readonly string[] | undefined;
  /** What the user can do about a point that is missing or ambiguous. */
  readonly remedy?: string | undefined;
}

export interface FileChange {
  /** Absolute path, symbolic links resolved. */
  readonly path: string;
  /** Relative to the tree root, for people. */
  readonly display: string;
  /** `null`: the file does not exist yet; apply creates it (and revert removes it). */
  readonly before: Buffer | null;
  readonly after: Buffer;
  readonly points: readonly string[];
}

export interface PatchPlan {
  readonly tree: SourceTree;
  readonly points: readonly PointOutcome[];
  readonly changes: readonly FileChange[];
}

export interface PlanOptions {
  /** The V level of the inserted log calls. Defaults to 2 (see README). */
  readonly verbosity: number;
  /**
   * The file to patch for a target, when more than one file declares its method (--target-file).
   * Absolute, or relative to the tree root.
   */
  readonly targetFiles?: Readonly<Partial<Record<TargetKind, string>>> | undefined;
}

export function displayPath(tree: SourceTree, path: string): string {
  return relative(tree.root, path) || '.';
}

function outcome(point: PatchPoint, status: PointStatus, file?: string, line?: number, detail?: string, refused?: { codes: readonly string[]; remedy: string }): PointOutcome {
  const failed = status === 'missing' || status === 'ambiguous';
  return {
    id: point.id,
    title: point.title,
    status,
    file,
    line,
    searchedFor: point.searchedFor,
    detail,
    ...(failed ? { codes: refused?.codes ?? [], remedy: refused?.remedy ?? DEFAULT_REMEDY } : {}),
  };
}

/** What to do when a point's code has a shape instrument does not know and no rule said more. */
const DEFAULT_REMEDY =
  'Check that the sources are the EPP of a supported release (GIE v0.4.0 to v1.5.0, or llm-d-router); if they are, the code moved away from the shape searched for: report the file, the line and the upstream version. instrument places nothing it cannot prove.';

/** Two matches of one point in one method: the user cannot choose, the code must be told apart. */
const TWO_PLACES_REMEDY =
  'instrument places each point once, where it can prove the values; with two equal candidates in one method it cannot. Report the file and lines above.';

const TWO_FILES_REMEDY = (kind: TargetKind, files: readonly string[]) =>
  `Name the file to patch with --target-file ${kind}=<path> on apply and diff (e.g. --target-file ${kind}=${files[0] ?? '<path>'}), or move the other copy out of the tree (or into a folder starting with "_" or ".", which instrument skips).`;

/** At most this many calls are named when a method holds none of the shape searched for. */
const CALLS_NAMED = 8;

/**
 * What a method holds where a point's query found nothing: the statements that call the point's
 * callee (the query's `#eq? @callee`) when there are some, else the calls the method does make, so
 * that a rename or a changed statement form reads off the message.
 */
function foundInstead(method: Node, query: string, display: string): string {
  const callee = /#eq\? @callee "([^"]+)"/.exec(query)?.[1];
  const same = callee ? callsOf(method, callee) : [];
  if (same.length > 0) {
    const held = same.map((call) => `\`${firstLine(statementHolding(call) ?? call)}\` at ${display}:${lineOf(call)}`);
    return `it calls ${callee} in ${held.join(' and in ')}, a form this point does not bind`;
  }
  const calls = descendantsOfKind(method, 'call_expression').filter((call) => isKind(call.childForFieldName('function'), 'selector_expression'));
  const named = new Map<string, number>();
  for (const call of calls) {
    const fn = call.childForFieldName('function')!.text.replace(/\s+/g, '');
    if (!named.has(fn)) named.set(fn, lineOf(call));
  }
  const listed = [...named].slice(0, CALLS_NAMED).map(([fn, at]) => `${fn} (line ${at})`);
  const more = named.size > CALLS_NAMED ? `, and ${named.size - CALLS_NAMED} more` : '';
  return `${callee ? `it calls no ${callee}; ` : ''}${named.size === 0 ? 'it makes no method calls' : `the calls it makes are ${listed.join(', ')}${more}`}`;
}

/** A node's first line, shortened to what a message can hold. */
function firstLine(node: Node): string {
  const text = node.text.split('\n')[0]!.trim();
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

/** The anchor the engine will insert next to must be a statement of a block: anything else lands inside a header or an expression. */
function misplaced(placement: Placement, display: string): string | undefined {
  const { anchor, where } = placement;
  const at = `${display}:${anchor.startPosition.row + 1}`;
  if (where === 'block-start') return anchor.type === 'block' ? undefined : `the block would open at ${at}, which is not a block`;
  if (anchor.parent?.type === 'statement_list') return undefined;
  const holder = anchor.parent && statementHolding(anchor.parent);
  const part = holder ? `the ${holder.type.replace(/_statement$/, '').replace(/_/g, ' ')} at line ${holder.startPosition.row + 1}` : 'an expression';
  return `the statement at ${at} is not a statement of a block but part of ${part}: a block placed ${where} it would land inside that header`;
}

/** Reads a Go file for editing; a file that is not UTF-8 is malformed input. */
export function readSource(path: string, display: string): { bytes: Buffer; source: SourceText } {
  const bytes = readFileSync(path);
  const source = decodeSource(bytes);
  if (!source) throw new ParseError(display, 1, 1, 'the file is not valid UTF-8');
  return { bytes, source };
}

/** Where a placement's block goes, and the indentation of the code around it. */
function insertionPoint(text: string, placement: Placement): { offset: number; indent: string } {
  const { anchor, where } = placement;
  if (where === 'before') return { offset: lineStart(text, anchor.startIndex), indent: indentationAt(text, anchor.startIndex) };
  if (where === 'after') return { offset: nextLineStart(text, anchor.endIndex), indent: indentationAt(text, anchor.startIndex) };
  const first = statements(anchor)[0];
  return {
    offset: nextLineStart(text, anchor.startIndex),
    indent: first ? indentationAt(text, first.startIndex) : indentationAt(text, anchor.startIndex) + '\t',
  };
}

/** Places the points of one target file. */
async function planFile(
  tree: SourceTree,
  kind: TargetKind,
  path: string,
  targetDirs: Readonly<Partial<Record<TargetKind, string>>>,
  options: PlanOptions,
): Promise<{ outcomes: PointOutcome[]; change: FileChange | undefined; packageName: string | undefined }> {
  const points = PATCH_POINTS.filter((p) => p.target === kind);
  const real = writablePath(tree.root, path);
  const display = displayPath(tree, path);
  const { bytes, source } = readSource(real, display);
  const parsed = await parseGo(source.text, display);
  let packages: PackageIndex | undefined;
  try {
    const scan = scanMarkers(source.text);
    if (scan.blocks.length > 0 || scan.problems.length > 0) {
      // Already (or partly) patched: report what is there and place nothing new.
      const outcomes = points.map((point) => {
        const block = scan.blocks.find((b) => b.pointId === point.id);
        return block
          ? outcome(point, 'applied', display, block.beginLine)
          : outcome(point, 'missing', display, undefined, 'the file already holds instrument blocks, but not this one; run `instrument revert`, then apply again');
      });
      return { outcomes, change: undefined, packageName: undefined };
    }

    const module = moduleOf(real, tree.root);
    if (!module) throw new ParseError(display, 1, 1, 'no go.mod with a module line above this file');
    const methods = methodsByName(parsed.root);
    packages = new PackageIndex(module, new Map([[real, parsed.root]]));
    const context: PatchContext = {
      display,
      root: parsed.root,
      imports: importsByName(parsed.root),
      dir: dirname(real),
      targetDirs,
      packages,
      method: (receiver, name) => {
        const found = methods.get(`${receiver}.${name}`) ?? [];
        return found.length === 1 ? found[0] : undefined;
      },
      at: (node) => `${display}:${node.startPosition.row + 1}`,
    };

    const outcomes: PointOutcome[] = [];
    const edits: Edit[] = [];
    for (const point of points) {
      const within = methods.get(`${point.within.receiver}.${point.within.method}`) ?? [];
      const where = `func (*${point.within.receiver}) ${point.within.method}`;
      if (within.length !== 1) {
        const detail =
          within.length === 0
            ? `${display} declares no ${where}`
            : `${display} declares ${where} ${within.length} times, at lines ${within.map((m) => m.startPosition.row + 1).join(' and ')}`;
        outcomes.push(outcome(point, within.length === 0 ? 'missing' : 'ambiguous', display, undefined, detail, within.length === 0 ? undefined : { codes: ['declared-twice'], remedy: 'Go allows one method of a name per type: the file does not compile as it is. Fix it, then apply again.' }));
        continue;
      }
      const bound: Array<{ placement: Placement; variant: string; values: Readonly<Record<string, string>>; extra?: readonly ExtraBlock[] | undefined }> = [];
      const refusals: Refusal[] = [];
      for (const match of await queryMatches(point.query, within[0]!)) {
        const binding = await point.bind(match.captures, context);
        if (!binding.ok) {
          refusals.push(binding);
          continue;
        }
        const wrong = [binding.placement, ...(binding.extra ?? []).map((e) => e.placement)].map((p) => misplaced(p, display)).find((m) => m !== undefined);
        if (wrong) refusals.push({ ok: false, code: 'anchor-not-a-statement', reason: wrong, remedy: `The ${point.id} point chose a place the engine refuses, which is a bug in instrument: report it with the file and line; nothing was written.` });
        else bound.push(binding);
      }
      if (bound.length !== 1) {
        // A refusal by a rule comes from a match that had the point's shape; the others only say
        // why some other statement is not the point, which is noise beside it.
        const ruled = refusals.filter((r) => r.code !== undefined);
        const reasons = [...new Set((ruled.length > 0 ? ruled : refusals).map((r) => r.reason))];
        const detail =
          bound.length === 0
            ? reasons.length > 0
              ? reasons.join('; ')
              : `nothing in ${where} (${display}:${within[0]!.startPosition.row + 1}) has the shape searched for: ${foundInstead(within[0]!, point.query, display)}`
            : `${bound.length} places match in ${where}, at ${bound.map((b) => `${display}:${b.placement.anchor.startPosition.row + 1}`).join(' and ')}`;
        const refused =
          bound.length === 0
            ? { codes: [...new Set(ruled.map((r) => r.code!))], remedy: [...new Set((ruled.length > 0 ? ruled : refusals).flatMap((r) => (r.remedy ? [r.remedy] : [])))].join(' ') || DEFAULT_REMEDY }
            : { codes: ['two-places'], remedy: TWO_PLACES_REMEDY };
        outcomes.push(outcome(point, bound.length === 0 ? 'missing' : 'ambiguous', display, undefined, detail, refused));
        continue;
      }
      const { placement, variant, values, extra = [] } = bound[0]!;
      for (const block of [{ placement, variant }, ...extra]) {
        const template = point.templates[block.variant];
        if (template === undefined) throw new InternalError(`${point.id} has no template ${block.variant}`);
        const lines = fillTemplate(template, { ...values, verbosity: String(options.verbosity) });
        const { offset, indent } = insertionPoint(source.text, block.placement);
        edits.push({ start: offset, end: offset, text: renderBlock(point.id, lines, indent, source.eol) });
      }
      outcomes.push(outcome(point, 'placed', display));
    }
    if (edits.length === 0 || outcomes.some((o) => o.status !== 'placed')) return { outcomes, change: undefined, packageName: undefined };

    const patched = commitEdits(source.text, edits);
    await verifyPatched(display, parsed, edits, patched);
    const blocks = scanMarkers(patched).blocks;
    const placed = outcomes.map((o) => ({ ...o, line: blocks.find((b) => b.pointId === o.id)?.beginLine }));
    const after = Buffer.from((source.bom ? '\uFEFF' : '') + patched, 'utf8');
    const packageName = childrenOfKind(parsed.root, 'package_clause')[0]?.namedChildren[0]?.text;
    return { outcomes: placed, change: { path: real, display, before: bytes, after, points: placed.map((o) => o.id) }, packageName };
  } finally {
    packages?.dispose();
    parsed.tree.delete();
  }
}

/**
 * A patched file must parse, and removing our blocks must give back exactly the original.
 * `original` is the parse of the file before `edits`; its tree is reused, and edited, here.
 */
async function verifyPatched(display: string, original: ParsedGo, edits: readonly Edit[], patched: string): Promise<void> {
  try {
    (await reparseGo(original, edits, patched, display)).tree.delete();
  } catch (error) {
    throw new InternalError(`the patched ${display} does not parse; nothing was written`, error);
  }
  const scan = scanMarkers(patched);
  if (scan.problems.length > 0 || removeRanges(patched, scan.blocks) !== original.text) {
    throw new InternalError(`the patched ${display} would not revert to its original bytes; nothing was written`);
  }
}

/**
 * Computes every point's placement and the new bytes of every file, writing nothing. A point that
 * cannot be placed is reported, never skipped: the caller writes only when every point is placed.
 */
export async function planApply(tree: SourceTree, options: PlanOptions): Promise<PatchPlan> {
  // The parser loads while the tree is searched.
  const language = goLanguage();
  const targets = chooseTargets(tree, await findTargetFilesYielding(tree.sources), options.targetFiles ?? {});
  await language;
  if (targets.profile.length === 0 && targets.server.length === 0) throw noEppError(tree);
  const points: PointOutcome[] = [];
  const changes: FileChange[] = [];
  const targetDirs: Partial<Record<TargetKind, string>> = {};
  for (const kind of TARGET_KINDS) {
    if (targets[kind].length === 1) targetDirs[kind] = dirname(writablePath(tree.root, targets[kind][0]!));
  }
  for (const kind of TARGET_KINDS) {
    const files = targets[kind];
    if (files.length !== 1) {
      const { receiver, method } = TARGET_METHODS[kind];
      const shown = files.map((f) => `${displayPath(tree, f)}:${declarationLine(f, kind) ?? '?'}`);
      const detail =
        files.length === 0
          ? `no file under ${displayPath(tree, tree.sources)} declares func (*${receiver}) ${method}`
          : `func (*${receiver}) ${method} is declared in ${files.length} files: ${shown.join(' and ')}`;
      const refused = files.length === 0 ? undefined : { codes: ['two-files'], remedy: TWO_FILES_REMEDY(kind, files.map((f) => displayPath(tree, f))) };
      for (const point of PATCH_POINTS.filter((p) => p.target === kind)) {
        points.push(outcome(point, files.length === 0 ? 'missing' : 'ambiguous', undefined, undefined, detail, refused));
      }
      continue;
    }
    const planned = await planFile(tree, kind, files[0]!, targetDirs, options);
    points.push(...planned.outcomes);
    if (planned.change) changes.push(planned.change);
    if (kind === 'profile' && planned.change) changes.push(helperFile(tree, dirname(planned.change.path), planned.packageName));
  }
  if (tree.layout === 'vendored' && tree.llmd) {
    const replace = planVendoredReplace(tree);
    points.push(replace.outcome);
    if (replace.change) changes.push(replace.change);
  }
  return { tree, points, changes };
}

/** `--target-file profile=path` values, as given (repeatable), into one file per target. */
export function parseTargetFiles(specs: readonly string[] | undefined): Partial<Record<TargetKind, string>> {
  const named: Partial<Record<TargetKind, string>> = {};
  for (const spec of specs ?? []) {
    const at = spec.indexOf('=');
    const kind = spec.slice(0, at) as TargetKind;
    const path = spec.slice(at + 1);
    if (at < 0 || !TARGET_KINDS.includes(kind) || path === '') {
      throw new UsageError(`--target-file ${spec}: expected <target>=<path>, <target> one of ${TARGET_KINDS.join(', ')}`, 'For example --target-file profile=pkg/epp/scheduling/scheduler_profile.go (relative to the tree root).');
    }
    if (named[kind] !== undefined && named[kind] !== path) throw new UsageError(`--target-file names two files for ${kind}: ${named[kind]} and ${path}`, 'Name one file per target.');
    named[kind] = path;
  }
  return named;
}

/**
 * The files found for each target, narrowed to the one --target-file names. A named file must be one
 * that declares the target's method: naming a file is a choice between candidates, never a way to
 * patch a file instrument would not have found.
 */
function chooseTargets(tree: SourceTree, found: Record<TargetKind, string[]>, named: Readonly<Partial<Record<TargetKind, string>>>): Record<TargetKind, string[]> {
  const chosen = { ...found };
  for (const kind of TARGET_KINDS) {
    const name = named[kind];
    if (name === undefined) continue;
    const path = resolve(tree.root, name);
    const match = found[kind].find((f) => f === path || relative(tree.root, f) === relative(tree.root, path));
    if (!match) {
      const { receiver, method } = TARGET_METHODS[kind];
      const candidates = found[kind].map((f) => displayPath(tree, f));
      throw new UsageError(
        `--target-file ${kind}=${name}: ${displayPath(tree, path)} does not declare func (*${receiver}) ${method}${candidates.length > 0 ? `; the files that do: ${candidates.join(', ')}` : '; no file under the sources does'}`,
        `Name one of the files that declare it, relative to ${tree.root} (or absolute).`,
      );
    }
    chosen[kind] = [match];
  }
  return chosen;
}

/**
 * The Go file apply adds to the profile's package (patches/run-record.ts). A file of that name that
 * is not ours is never overwritten; one of ours left without its blocks means a damaged tree.
 */
function helperFile(tree: SourceTree, dir: string, packageName: string | undefined): FileChange {
  if (!packageName) throw new InternalError('the profile file has no package clause, yet it parsed');
  const path = join(dir, HELPER_FILE_NAME);
  const display = displayPath(tree, path);
  if (existsSync(path)) {
    const ours = isCreatedFile(readFileSync(path, 'utf8'));
    throw new OperationError(
      ours
        ? `${display} is instrument's helper file, but the profile file holds none of instrument's blocks`
        : `${display} already exists and is not instrument's: apply would have to add a file of that name`,
      ours
        ? `A revert was interrupted or the blocks were removed by hand: run \`instrument revert\` (it removes the helper when its bytes are as apply wrote them), then apply again.`
        : `Rename or remove ${display}, then apply again.`,
    );
  }
  const text = helperText(packageName);
  return { path: writablePath(tree.root, path), display, before: null, after: Buffer.from(text, 'utf8'), points: [] };
}

/** Ids of the points of a plan that are not (or not yet) in place. */
export function failedPoints(plan: PatchPlan): PointOutcome[] {
  return plan.points.filter((p) => p.status === 'missing' || p.status === 'ambiguous');
}

