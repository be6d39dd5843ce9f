import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GIE_MODULE, VENDORED_GIE_DIR, writablePath, type SourceTree } from './locate.ts';
import { appendBlock, renderBlock, scanMarkers } from './markers.ts';
import type { FileChange, PointOutcome } from './plan.ts';
import { decodeSource } from './source-text.ts';

/** The id under which the go.mod edit of the vendored layout is reported and recorded. */
export const REPLACE_POINT = 'workspace.replace';
export const REPLACE_TARGET = './' + VENDORED_GIE_DIR.split(/[\\/]/).join('/');
const REPLACE_LINE = `replace ${GIE_MODULE} => ${REPLACE_TARGET}`;
const SEARCHED_FOR = `llm-d-inference-scheduler/go.mod, to make ${GIE_MODULE} resolve to the vendored copy in ${REPLACE_TARGET}`;

interface Directive {
  readonly module: string;
  readonly version: string | undefined;
  readonly target: string | undefined;
}

/**
 * The `require` and `replace` directives of a go.mod, single-line and in blocks. A line reader is
 * enough for these two directives (comments stripped); go.mod has no other syntax they can hide in.
 */
export function goModDirectives(text: string): { requires: Directive[]; replaces: Directive[] } {
  const requires: Directive[] = [];
  const replaces: Directive[] = [];
  let block: 'require' | 'replace' | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block && line === ')') {
      block = undefined;
      continue;
    }
    const opener = /^(require|replace)\s*\($/.exec(line);
    if (opener) {
      block = opener[1] as 'require' | 'replace';
      continue;
    }
    const single = /^(require|replace)\s+(.*)$/.exec(line);
    const kind = single ? (single[1] as 'require' | 'replace') : block;
    const body = single ? single[2]! : line;
    if (kind === 'require') {
      const [module, version] = body.split(/\s+/);
      if (module) requires.push({ module: unquote(module), version, target: undefined });
    } else if (kind === 'replace') {
      const [left, right] = body.split('=>').map((s) => s.trim().split(/\s+/));
      if (left?.[0]) replaces.push({ module: unquote(left[0]), version: right?.[1], target: right?.[0] && unquote(right[0]) });
    }
  }
  return { requires, replaces };
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/, '$1');
}

/** The GIE version llm-d's go.mod requires, if it requires GIE. */
export function requiredGieVersion(goModText: string): string | undefined {
  return goModDirectives(goModText).requires.find((r) => r.module === GIE_MODULE)?.version;
}

function normalizeTarget(target: string): string {
  return target.replace(/\\/g, '/').replace(/\/+$/, '').replace(/^(?!\.\/|\.\.\/|\/)/, './');
}

/**
 * In the vendored layout the image must be built from `_deps`, so llm-d's go.mod needs
 * `replace <GIE> => ./_deps/gateway-api-inference-extension`; it is added as a marked block that
 * revert removes exactly.
 */
export function planVendoredReplace(tree: SourceTree): { outcome: PointOutcome; change: FileChange | undefined } {
  const path = join(tree.llmd!, 'go.mod');
  const display = relative(tree.root, path);
  const result = (status: PointOutcome['status'], detail?: string, line?: number, remedy?: string): PointOutcome => ({
    id: REPLACE_POINT,
    title: 'Build from the vendored copy',
    status,
    file: display,
    line,
    searchedFor: SEARCHED_FOR,
    detail,
    ...(remedy ? { codes: [], remedy } : {}),
  });
  if (!existsSync(path)) return { outcome: result('missing', `there is no ${display}`, undefined, `Restore ${display} (\`git checkout -- go.mod\` in the llm-d tree), then apply again.`), change: undefined };
  const real = writablePath(tree.root, path);
  const bytes = readFileSync(real);
  const source = decodeSource(bytes);
  if (!source) return { outcome: result('missing', `${display} is not valid UTF-8`, undefined, `Save ${display} as UTF-8 (as Go requires), then apply again.`), change: undefined };
  const scan = scanMarkers(source.text);
  const ours = scan.blocks.find((b) => b.pointId === REPLACE_POINT);
  if (ours) return { outcome: result('applied', undefined, ours.beginLine), change: undefined };

  const existing = goModDirectives(source.text).replaces.find((r) => r.module === GIE_MODULE);
  if (existing) {
    if (existing.target && normalizeTarget(existing.target) === REPLACE_TARGET) {
      return { outcome: result('applied', `${display} already replaces ${GIE_MODULE} with ${REPLACE_TARGET}`), change: undefined };
    }
    return {
      outcome: result(
        'missing',
        `${display} already replaces ${GIE_MODULE} with ${existing.target ?? '(unreadable)'}, so the instrumented copy in ${REPLACE_TARGET} would not be built`,
        undefined,
        `Remove that replace directive from ${display}, or point it at ${REPLACE_TARGET}, then apply again.`,
      ),
      change: undefined,
    };
  }
  const patched = appendBlock(source.text, renderBlock(REPLACE_POINT, [REPLACE_LINE], '', source.eol), source.eol);
  const line = scanMarkers(patched).blocks[0]?.beginLine;
  const after = Buffer.from((source.bom ? '\uFEFF' : '') + patched, 'utf8');
  return {
    outcome: result('placed', undefined, line),
    change: { path: real, display, before: bytes, after, points: [REPLACE_POINT] },
  };
}
