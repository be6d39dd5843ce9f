import { POINT_IDS, type PointId } from '../codemod/patch.ts';
import type { Style } from '../reporters/text.ts';
import type { BehaviourStatus } from './behaviour.ts';
import type { CellStatus, Detail, RefReport } from './verify.ts';

export interface CheckReport {
  readonly upstream: string;
  readonly build: boolean;
  readonly test: boolean;
  /** With --behaviour, each ref carries a per-point `behaviour` result. */
  readonly behaviour: boolean;
  readonly refs: readonly RefReport[];
  /** True when every cell is ok. */
  readonly ok: boolean;
  readonly durationMs: number;
}

export const CELL_LABEL: Record<CellStatus, string> = {
  ok: 'ok',
  missing: 'missing',
  ambiguous: 'ambiguous',
  'compile-error': 'compile error',
  'vet-error': 'vet error',
  'tests-fail': 'tests fail',
  'revert-mismatch': 'revert mismatch',
  'no-epp': 'no EPP in this tree',
  error: 'error',
};

const withFlags = (report: CheckReport) =>
  report.build || report.test || report.behaviour ? ` (with ${[report.build && '--build', report.test && '--test', report.behaviour && '--behaviour'].filter(Boolean).join(' ')})` : '';

const failing = (r: RefReport) => POINT_IDS.filter((p) => r.cells[p] !== 'ok');
/** The points whose behaviour failed (none without --behaviour). */
const misbehaving = (r: RefReport) => POINT_IDS.filter((p) => r.behaviour?.[p]?.status === 'failed');
/** The points that fail a ref: a cell that is not ok, or a failed behaviour. */
const failed = (r: RefReport) => POINT_IDS.filter((p) => r.cells[p] !== 'ok' || r.behaviour?.[p]?.status === 'failed');

/** A matrix's lines: columns padded to their widest cell, the point cells (after ref and commit) painted. */
function table(header: readonly string[], rows: readonly string[][], paint: (cell: string, padded: string) => string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[], painted: boolean) =>
    cells
      .map((c, i) => (painted && i >= 2 ? paint(c, c.padEnd(widths[i]!)) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header, false), ...rows.map((row) => line(row, true))];
}

const BEHAVIOUR_LABEL: Record<BehaviourStatus, string> = { ok: 'ok', failed: 'failed', 'n/a': 'n/a' };

/** The behaviour matrix (refs × points) and, under it, what failed and why a point is n/a. */
function renderBehaviour(report: CheckReport, style: Style): string[] {
  const rows = report.refs.map((r) => [r.ref, r.commit.slice(0, 12), ...POINT_IDS.map((p) => (r.behaviour?.[p] ? BEHAVIOUR_LABEL[r.behaviour[p].status] : '-'))]);
  const out = ['', ...table(['behaviour', 'commit', ...POINT_IDS], rows, (c, padded) => (c === 'failed' ? style.bad(padded) : c === 'ok' ? style.ok(padded) : padded))];
  for (const r of report.refs) {
    const notes = POINT_IDS.filter((p) => r.behaviour?.[p] && r.behaviour[p].status !== 'ok');
    if (notes.length === 0) continue;
    out.push('', style.bold(`${r.ref} (${r.commit.slice(0, 12)}) behaviour:`));
    // Points that share a reason (n/a for the same cause) are listed once.
    const byText = new Map<string, PointId[]>();
    for (const p of notes) {
      const key = `${r.behaviour![p].status}\u0000${r.behaviour![p].detail ?? ''}`;
      byText.set(key, [...(byText.get(key) ?? []), p]);
    }
    for (const [key, points] of byText) {
      const [status, detail] = key.split('\u0000');
      out.push(`  ${points.join(', ')}: ${status}\n    ${(detail ?? '').replace(/\n/g, '\n    ')}`);
    }
  }
  return out;
}

/** The matrix of refs × points, then each failure's detail. */
export function renderText(report: CheckReport, style: Style): string {
  const rows = report.refs.map((r) => [r.ref, r.commit.slice(0, 12), ...POINT_IDS.map((p) => CELL_LABEL[r.cells[p]])]);
  const out = table(['ref', 'commit', ...POINT_IDS], rows, (c, padded) => (c === 'ok' ? style.ok(padded) : style.bad(padded)));
  const bad = report.refs.filter((r) => failing(r).length > 0);
  for (const r of bad) {
    out.push('', style.bold(`${r.ref} (${r.commit.slice(0, 12)}):`));
    for (const d of r.details) {
      out.push(`  ${d.point ?? 'all points'}: ${CELL_LABEL[d.status]}${d.file ? ` in ${d.file}${d.line ? `:${d.line}` : ''}` : ''}\n    ${d.message.replace(/\n/g, '\n    ')}`);
      if (d.remedy) out.push(`    what to do: ${d.remedy}`);
    }
  }
  if (report.behaviour) out.push(...renderBehaviour(report, style));
  for (const r of report.refs.filter((r) => r.upstreamFailures.length > 0)) {
    out.push('', `${r.ref}: upstream's own tests that fail without the patches too (not counted against them):`, ...r.upstreamFailures.map((name) => `  ${name}`));
  }
  const cells = report.refs.length * POINT_IDS.length;
  const notOk = report.refs.reduce((n, r) => n + failing(r).length, 0);
  const behaved = report.behaviour ? `; behaviour: ${count(report, 'ok')} ok, ${count(report, 'failed')} failed, ${count(report, 'n/a')} n/a` : '';
  out.push(
    '',
    (report.ok ? style.ok : style.bad)(
      `${report.refs.length} ref(s) of ${report.upstream}${withFlags(report)}: ${cells - notOk} of ${cells} cells ok${behaved}, in ${(report.durationMs / 1000).toFixed(1)} s`,
    ),
  );
  return out.join('\n') + '\n';
}

const count = (report: CheckReport, status: BehaviourStatus) => report.refs.reduce((n, r) => n + POINT_IDS.filter((p) => r.behaviour?.[p]?.status === status).length, 0);

export function renderJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** A detail as one text: where, what, and what to do when apply said. */
const detailText = (d: Detail) => `${d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : ''}${d.message}${d.remedy ? `\nwhat to do: ${d.remedy}` : ''}`;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: a test suite per ref, a test case per point. */
export function renderJunit(report: CheckReport): string {
  const failures = report.refs.reduce((n, r) => n + failed(r).length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="instrument check ${xml(report.upstream)}" tests="${report.refs.length * POINT_IDS.length}" failures="${failures}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  ];
  for (const r of report.refs) {
    lines.push(`  <testsuite name="${xml(r.ref)}" id="${xml(r.commit)}" tests="${POINT_IDS.length}" failures="${failed(r).length}" time="${(r.durationMs / 1000).toFixed(3)}">`);
    for (const point of POINT_IDS) {
      const status = r.cells[point];
      lines.push(`    <testcase classname="${xml(r.ref)}" name="${point}">`);
      if (status !== 'ok') {
        const text = r.details.filter((d) => d.point === point || d.point === undefined).map(detailText).join('\n');
        lines.push(`      <failure type="${status}" message="${xml(CELL_LABEL[status])}">${xml(text)}</failure>`);
      } else if (r.behaviour?.[point]?.status === 'failed') {
        lines.push(`      <failure type="behaviour" message="behaviour failed">${xml(r.behaviour[point].detail ?? '')}</failure>`);
      }
      lines.push('    </testcase>');
    }
    if (r.upstreamFailures.length > 0) lines.push(`    <system-out>${xml(`upstream's own tests that fail without the patches too: ${r.upstreamFailures.join(', ')}`)}</system-out>`);
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** GitHub Actions workflow commands: an error annotation per failure, a notice summing up. */
export function renderGithub(report: CheckReport): string {
  const escape = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (s: string) => escape(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines: string[] = [];
  for (const r of report.refs) {
    for (const d of r.details) {
      const title = `instrument check ${r.ref}: ${d.point ?? 'all points'} ${CELL_LABEL[d.status]}`;
      lines.push(`::error title=${property(title)}::${escape(detailText(d))}`);
    }
    for (const point of misbehaving(r)) {
      lines.push(`::error title=${property(`instrument check ${r.ref}: ${point} behaviour failed`)}::${escape(r.behaviour![point].detail ?? '')}`);
    }
    for (const name of r.upstreamFailures) lines.push(`::warning title=${property(`instrument check ${r.ref}: upstream's own test fails`)}::${escape(`${name} fails without the patches too, so it is not counted against them`)}`);
  }
  const notOk = report.refs.filter((r) => failed(r).length > 0).map((r) => r.ref);
  lines.push(
    notOk.length === 0
      ? `::notice title=instrument check::${report.refs.length} ref(s) of ${escape(report.upstream)}: every point applies${report.build ? ', compiles and vets' : ''}${report.test ? ", passes upstream's tests" : ''}${report.behaviour ? ', writes the right values when run (where the behaviour test can run it)' : ''}, and reverts byte for byte`
      : `::error title=instrument check::${notOk.length} of ${report.refs.length} ref(s) fail: ${escape(notOk.join(', '))}`,
  );
  return lines.join('\n') + '\n';
}
