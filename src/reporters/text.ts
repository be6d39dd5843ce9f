import type { ApplyResult } from '../commands/apply.ts';
import type { DiffResult } from '../commands/diff.ts';
import type { RevertResult } from '../commands/revert.ts';
import type { StatusResult } from '../commands/status.ts';
import type { VendorResult } from '../commands/vendor.ts';
import type { PointOutcome } from '../codemod/plan.ts';
import type { Recovery } from '../codemod/transaction.ts';

/** Colour functions: real ones when colour is wanted (reporters/colour.ts), identity otherwise. */
export interface Style {
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  /** Cyan: hunk headers of a diff. */
  readonly info: (s: string) => string;
}

export const plainStyle: Style = { ok: (s) => s, bad: (s) => s, warn: (s) => s, dim: (s) => s, bold: (s) => s, info: (s) => s };

/** A unified diff coloured as git colours one: file headers bold, hunks cyan, + green, - red. */
export function colourDiff(diff: string, style: Style): string {
  if (style === plainStyle) return diff;
  return diff.replace(/^.*$/gm, (line) =>
    /^(---|\+\+\+) /.test(line) ? style.bold(line) : line.startsWith('@@') ? style.info(line) : line.startsWith('+') ? style.ok(line) : line.startsWith('-') ? style.bad(line) : line,
  );
}

/** What a reporter hands back: text for stdout and for stderr. */
export interface Rendered {
  readonly stdout: string;
  readonly stderr: string;
}

function pointLines(points: readonly PointOutcome[], style: Style): string[] {
  const width = Math.max(...points.map((p) => p.id.length));
  return points.flatMap((p) => {
    const mark =
      p.status === 'placed' ? style.ok('placed   ') : p.status === 'applied' ? style.ok('applied  ') : p.status === 'missing' ? style.bad('missing  ') : style.bad('ambiguous');
    const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : '';
    const lines = [`  ${mark} ${p.id.padEnd(width)}  ${where}`];
    if (p.status === 'missing' || p.status === 'ambiguous') {
      lines.push(style.dim(`            searched for: ${p.searchedFor}`));
      if (p.detail) lines.push(`            ${p.detail}`);
      if (p.remedy) lines.push(`            what to do: ${p.remedy}`);
    } else if (p.detail) {
      lines.push(style.dim(`            ${p.detail}`));
    }
    return lines;
  });
}

function recoveryLine(recovered: Recovery | undefined): string[] {
  if (!recovered) return [];
  const files = recovered.restored.length > 0 ? `; restored ${recovered.restored.join(', ')} to the original bytes` : '';
  const removed = recovered.removed.length > 0 ? `; removed ${recovered.removed.join(', ')}, which it had created` : '';
  return [`recovered an interrupted ${recovered.operation} (started ${recovered.startedAt})${files}${removed}`];
}

/**
 * What the command found (the llm-d tree and workspace, or the --source tree), once, on stderr:
 * stdout stays the result alone (a diff stays a diff for `git apply`).
 */
export function foundLine(tree: { readonly found: string }): string {
  return `${tree.found}\n`;
}

/** Warnings, one `warning:` line each (for stderr). */
export function warnings(list: readonly string[], style: Style): string {
  return list.map((w) => `${style.warn('warning:')} ${w}\n`).join('');
}

export function renderApply(result: ApplyResult, style: Style): Rendered {
  const heading = {
    applied: style.ok(`applied ${result.points.length} points`),
    'already-applied': style.ok('already applied, nothing changed'),
    planned: `dry run: apply would change ${result.files.length} file(s); nothing was written`,
    failed: style.bad(`apply failed: ${result.points.filter((p) => p.status === 'missing' || p.status === 'ambiguous').length} point(s) cannot be placed; nothing was written`),
  }[result.status];
  const lines = [
    ...recoveryLine(result.recovered),
    `${heading} (sources: ${result.tree.sources}, --verbosity ${result.verbosity})`,
    ...pointLines(result.points, style),
  ];
  if (result.status === 'applied') lines.push('', 'Next: `instrument diff` shows the change, `instrument build` builds the image, `instrument revert` undoes it.');
  const stdout = (result.diff ? colourDiff(result.diff, style) + '\n' : '') + lines.join('\n') + '\n';
  return { stdout, stderr: foundLine(result.tree) + warnings(result.warnings, style) };
}

export function renderRevert(result: RevertResult, style: Style): Rendered {
  const lines = [...recoveryLine(result.recovered)];
  if (result.status === 'not-applied') lines.push('nothing to revert: no instrument blocks in the sources');
  else if (result.status === 'refused') {
    const refused = result.files.filter((f) => f.outcome === 'refused').length;
    lines.push(style.bad(`revert refused: ${refused} file(s) cannot be reverted as they are; nothing was changed`));
  }
  else lines.push(style.ok(`reverted ${result.files.length} file(s)`));
  const says: Record<string, string> = {
    restored: 'original bytes restored (sha256 checked)',
    'restored-keeping-edits': 'blocks removed; your edits outside them kept',
    'blocks-removed': 'blocks removed (no record of the apply to check hashes against)',
    forced: 'blocks removed with --force, including edited ones',
    removed: 'removed (instrument had created it; it held exactly the bytes written)',
    refused: 'refused, not changed',
    unchanged: 'not changed (another file was refused)',
  };
  for (const file of result.files) {
    lines.push(`  ${file.path}: ${says[file.outcome]}`);
    for (const problem of file.problems) lines.push(`    ${problem}`);
  }
  if (result.status === 'refused') {
    lines.push('', 'Fix what each refused file says and run `instrument revert` again. For blocks edited by hand, `instrument revert --force` removes them with your edits in them and keeps everything else.');
  }
  return { stdout: lines.join('\n') + '\n', stderr: foundLine(result.tree) + warnings(result.warnings, style) };
}

export function renderStatus(result: StatusResult, style: Style): Rendered {
  const lines = [
    `${result.status}${result.appliedAt ? ` (applied ${result.appliedAt}, --verbosity ${result.verbosity})` : ''}; sources: ${result.tree.sources}`,
  ];
  if (result.status === 'interrupted') lines.push(style.warn('an apply or revert was interrupted; the next `instrument apply` or `instrument revert` finishes it'));
  const width = Math.max(...result.points.map((p) => p.id.length));
  for (const p of result.points) {
    if (!p.applied) {
      lines.push(`  ${style.dim('not applied')}  ${p.id}`);
      continue;
    }
    const notes = [p.intact === false ? style.bad('block edited') : undefined, p.fileChangedSinceApply ? style.warn('file changed since apply') : undefined].filter(Boolean);
    lines.push(`  ${style.ok('applied    ')}  ${p.id.padEnd(width)}  ${p.file}:${p.line}${notes.length ? '  ' + notes.join(', ') : ''}`);
  }
  if (result.status !== 'not-applied' && !result.recorded) lines.push(style.warn('  (no record of the apply: hashes cannot be checked)'));
  return { stdout: lines.join('\n') + '\n', stderr: foundLine(result.tree) };
}

export function renderDiff(result: DiffResult, style: Style): Rendered {
  const failed = result.points.filter((p) => p.status === 'missing' || p.status === 'ambiguous');
  if (failed.length > 0) {
    return { stdout: '', stderr: foundLine(result.tree) + [style.bad('apply would fail; no diff:'), ...pointLines(result.points, style)].join('\n') + '\n' };
  }
  if (result.diff === '') return { stdout: '', stderr: foundLine(result.tree) + 'no difference\n' };
  // Which diff this is, first: git apply and patch skip text before the first file header.
  const header =
    result.source === 'applied'
      ? '# APPLIED: the change instrument made to these sources (instrument revert takes it out)'
      : '# PLANNED: what instrument apply would change (nothing is applied yet)';
  return { stdout: style.bold(header) + '\n' + colourDiff(result.diff, style), stderr: foundLine(result.tree) };
}

export function renderVendor(result: VendorResult): Rendered {
  const lines: string[] = [];
  lines.push(
    ...(result.status === 'present'
      ? [`${result.dir} already exists (commit ${result.commit?.slice(0, 12) ?? 'unknown'}); go.mod requires ${result.version}. Use --force to replace it.`]
      : [
          `vendored ${result.upstream} at ${result.ref} (${result.commit?.slice(0, 12)}) into ${result.dir}, as go.mod requires ${result.version}`,
          result.depth === 'one commit' ? 'the copy holds that one commit (a shallow clone)' : `the copy holds the ${result.depth}: ${result.depthNote}`,
          ...(result.movedAside ? [`the previous copy was moved to ${result.movedAside}`] : []),
        ]),
  );
  return { stdout: lines.join('\n') + '\n', stderr: foundLine(result.tree) };
}
