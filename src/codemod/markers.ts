import { sha256 } from './source-text.ts';

/**
 * Our blocks in a patched file look like this (whole lines, the indentation of the code around them):
 *
 *     // instrument:begin profile.scores 3f2a9c1b7d4e
 *     ...inserted Go...
 *     // instrument:end profile.scores
 *
 * The hash covers the lines in between, so revert can tell an untouched block from an edited one.
 * Markers are matched as whole lines only, never as prefixes (the Ansible marker bugs).
 */
const BEGIN = /^([ \t]*)\/\/ instrument:begin ([a-z]+(?:\.[a-z]+)+) ([0-9a-f]{12})\r?$/;
const END = /^[ \t]*\/\/ instrument:end ([a-z]+(?:\.[a-z]+)+)\r?$/;
/**
 * The line that marks a whole file as created by apply (in its first lines, after Go's
 * generated-code header). Revert deletes such a file only when its bytes are exactly what apply
 * wrote.
 */
export const CREATED_MARKER = '// instrument:created';

export function isCreatedFile(text: string): boolean {
  return text.split('\n', 3).some((line) => line.replace(/\r$/, '') === CREATED_MARKER);
}

/** Anything that looks like one of our markers, for spotting damaged ones. */
const ANY_MARKER = /\/\/ instrument:(begin|end)\b/;

export interface Block {
  readonly pointId: string;
  /** The hash written in the begin marker. */
  readonly hash: string;
  /** 1-based lines of the begin and end markers. */
  readonly beginLine: number;
  readonly endLine: number;
  /** Offsets: start of the begin line, and just past the end line (its line ending included). */
  readonly start: number;
  readonly end: number;
  /** True when the lines between the markers still hash to `hash`. */
  readonly intact: boolean;
}

export interface MarkerProblem {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly problem: string;
  /** For a begin marker left without its end marker: the hash it carries, to find the block's exact extent. */
  readonly unclosedHash?: string | undefined;
}

export interface MarkerScan {
  readonly blocks: Block[];
  readonly problems: MarkerProblem[];
}

export function blockHash(bodyLines: readonly string[]): string {
  return sha256(bodyLines.join('\n')).slice(0, 12);
}

/**
 * Renders a block to insert: `body` lines use tabs for their own nesting and are prefixed with
 * `indent`; every line ends with `eol`.
 */
export function renderBlock(pointId: string, body: readonly string[], indent: string, eol: string): string {
  const lines = body.map((line) => (line === '' ? '' : indent + line));
  return [`${indent}// instrument:begin ${pointId} ${blockHash(lines)}`, ...lines, `${indent}// instrument:end ${pointId}`]
    .map((line) => line + eol)
    .join('');
}

interface Line {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    lines.push({ text: text.slice(start, nl === -1 ? end : nl), start, end });
    start = end;
  }
  return lines;
}

/** Finds our blocks and any marker that does not pair up. */
export function scanMarkers(text: string): MarkerScan {
  if (!text.includes('// instrument:')) return { blocks: [], problems: [] };
  const lines = splitLines(text);
  const blocks: Block[] = [];
  const problems: MarkerProblem[] = [];
  let open: { pointId: string; hash: string; index: number } | undefined;
  const problem = (index: number, what: string, unclosedHash?: string) => {
    const line = lines[index]!;
    problems.push({ line: index + 1, start: line.start, end: line.end, problem: what, unclosedHash });
  };
  lines.forEach((line, index) => {
    const begin = BEGIN.exec(line.text);
    const end = END.exec(line.text);
    if (begin) {
      if (open) problem(open.index, `begin marker of ${open.pointId} has no end marker before line ${index + 1}`, open.hash);
      open = { pointId: begin[2]!, hash: begin[3]!, index };
    } else if (end) {
      if (!open) {
        problem(index, `end marker of ${end[1]} has no begin marker`);
      } else if (open.pointId !== end[1]) {
        problem(open.index, `begin marker of ${open.pointId} is closed by the end marker of ${end[1]} on line ${index + 1}`);
        problem(index, `end marker of ${end[1]} does not match the open block ${open.pointId}`);
        open = undefined;
      } else {
        const body = lines.slice(open.index + 1, index).map((l) => l.text.replace(/\r$/, ''));
        blocks.push({
          pointId: open.pointId,
          hash: open.hash,
          beginLine: open.index + 1,
          endLine: index + 1,
          start: lines[open.index]!.start,
          end: line.end,
          intact: blockHash(body) === open.hash,
        });
        open = undefined;
      }
    } else if (ANY_MARKER.test(line.text)) {
      problem(index, 'a line that looks like an instrument marker but is not one (edited?)');
    }
  });
  if (open) problem(open.index, `begin marker of ${open.pointId} has no end marker`, open.hash);
  return { blocks, problems };
}

/**
 * Removes whole-line ranges (blocks, or single damaged marker lines). This is the exact inverse of
 * inserting them, including a block appended to a file that did not end with a line ending.
 */
export function removeRanges(text: string, ranges: ReadonlyArray<{ start: number; end: number }>): string {
  const sorted = [...ranges].sort((a, b) => b.start - a.start);
  let out = text;
  for (const { start, end } of sorted) {
    let from = start;
    if (end === out.length && !out.endsWith('\n') && from > 0) {
      from -= out.slice(0, from).endsWith('\r\n') ? 2 : 1;
    }
    out = out.slice(0, from) + out.slice(end);
  }
  return out;
}

/**
 * Appends a rendered block at the end of a file. When the file lacks a final line ending the block
 * goes after a new one and drops its own last line ending, so that `removeRanges` restores the file.
 */
export function appendBlock(text: string, block: string, eol: string): string {
  if (text === '' || text.endsWith('\n')) return text + block;
  return text + eol + block.slice(0, -eol.length);
}

/** How our blocks come out of a file: the ranges to remove, and what stops that. */
export interface Removal {
  readonly ranges: ReadonlyArray<{ readonly start: number; readonly end: number }>;
  /** 1-based lines (`12` or `12-20`) and why: an edited block (without `force`), or marker damage that cannot be undone exactly. */
  readonly refused: ReadonlyArray<{ readonly lines: string; readonly problem: string }>;
  /** Blocks removed that had been edited, or had lost their end marker (only with `force`). */
  readonly forced: number;
}

/**
 * Decides how to take our blocks out of `text`. Intact blocks always come out. With `force`, so do
 * edited blocks (both markers still there, so the extent is exact) and a begin marker whose end
 * marker was deleted, when the lines after it still hash to the marker's hash (then the block's end
 * is known exactly). Every other damaged marker is refused, even with `force`: removing the marker
 * line alone would leave the block's code in the file without anything saying it is ours.
 */
export function planRemoval(text: string, force: boolean): Removal {
  const scan = scanMarkers(text);
  const ranges: Array<{ start: number; end: number }> = [];
  const refused: Array<{ lines: string; problem: string }> = [];
  let forced = 0;
  for (const block of scan.blocks) {
    if (block.intact) ranges.push(block);
    else if (force) {
      ranges.push(block);
      forced++;
    } else refused.push({ lines: `${block.beginLine}-${block.endLine}`, problem: `the ${block.pointId} block was edited` });
  }
  const lines = scan.problems.length > 0 ? splitLines(text) : [];
  for (const problem of scan.problems) {
    const extent = force && problem.unclosedHash !== undefined ? unclosedExtent(lines, problem.line - 1, problem.unclosedHash) : undefined;
    if (extent) {
      ranges.push({ start: problem.start, end: extent });
      forced++;
    } else {
      refused.push({
        lines: String(problem.line),
        problem: `${problem.problem}${force ? '; the block cannot be told apart from the code around it, so it is not removed' : ''}`,
      });
    }
  }
  return { ranges, refused, forced };
}

/** The longest body a block of ours has; searching further only costs time. */
const MAX_BLOCK_LINES = 400;

/** Where the block of an unclosed begin marker ends: the first run of lines after it that hashes to `hash`. */
function unclosedExtent(lines: readonly Line[], beginIndex: number, hash: string): number | undefined {
  const body: string[] = [];
  for (let i = beginIndex + 1; i < lines.length && body.length < MAX_BLOCK_LINES; i++) {
    if (ANY_MARKER.test(lines[i]!.text)) return undefined;
    body.push(lines[i]!.text.replace(/\r$/, ''));
    if (blockHash(body) === hash) return lines[i]!.end;
  }
  return undefined;
}
