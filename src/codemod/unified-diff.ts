import { structuredPatch } from 'diff';

export interface DiffInput {
  readonly display: string;
  readonly before: string;
  readonly after: string;
  /** A file instrument adds (git's `new file`: `--- /dev/null`); `before` is then empty. */
  readonly created?: boolean | undefined;
}

const POINT_IN_LINE = /\/\/ instrument:begin ([a-z]+(?:\.[a-z]+)+) /;

/**
 * A unified diff of each file, git style, where each hunk header names the points it adds or
 * removes in the slot git uses for the function name: `@@ -117,6 +117,15 @@ profile.candidates`.
 */
export function unifiedDiff(files: readonly DiffInput[]): string {
  const out: string[] = [];
  for (const file of files) {
    const patch = structuredPatch(`a/${file.display}`, `b/${file.display}`, file.before, file.after, '', '', { context: 3 });
    if (patch.hunks.length === 0) continue;
    out.push(file.created ? '--- /dev/null' : `--- a/${file.display}`, `+++ b/${file.display}`);
    for (const hunk of patch.hunks) {
      const points = [...new Set(hunk.lines.flatMap((l) => (/^[+-]/.test(l) ? (POINT_IN_LINE.exec(l)?.[1] ?? []) : [])))];
      const range = (start: number, count: number) => `${start},${count}`;
      const label = points.length ? ' ' + points.join(', ') : file.created ? ' (new file, added by instrument)' : '';
      out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@${label}`);
      out.push(...hunk.lines.map((l) => l.replace(/\r$/, '')));
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}
