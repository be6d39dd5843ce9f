import { InternalError } from '../errors.ts';

/** One change to a text: replace `[start, end)` with `text` (`start === end` inserts). */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Applies edits to a text in one pass. The result does not depend on the order of `edits`;
 * overlapping edits, or two edits at the same offset (whose order would be a guess), are a bug in
 * the patch that produced them and are rejected.
 */
export function commitEdits(source: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  sorted.forEach((edit, i) => {
    const previous = sorted[i - 1];
    if (edit.end < edit.start || edit.end > source.length) {
      throw new InternalError(`edit out of range: [${edit.start}, ${edit.end}) in a text of ${source.length}`);
    }
    if (previous && (edit.start < previous.end || edit.start === previous.start)) {
      throw new InternalError(`overlapping edits at offset ${edit.start}`);
    }
    out += source.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  });
  return out + source.slice(cursor);
}
