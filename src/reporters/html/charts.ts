import type { Histogram } from '../../analyze/model.ts';
import { empty, esc, num, px, tag } from './markup.ts';

/**
 * The charts, drawn here as static SVG (no script, no library): the page is a file one opens
 * anywhere, charts included, with JavaScript off. They are lines, ticks and stacked areas; a
 * library would add its size to every report and still need the page's own data shaping.
 */

/** The time axis every chart of the page shares: seconds since the first request, or the request's place in the log. */
export interface Axis {
  readonly lo: number;
  readonly hi: number;
  readonly label: string;
  /** `s`, or `requests` when the lines carry no timestamps. */
  readonly unit: string;
}

/** One request's position on the axis, with what it did in one profile. */
export interface ChartPoint {
  readonly x: number;
  /** The first target the profile picked. */
  readonly picked: string | undefined;
  readonly scores: Readonly<Record<string, number>> | undefined;
}

export interface Layout {
  readonly axis: Axis;
  readonly colours: ReadonlyMap<string, string>;
  /** Room on the left for the lanes' endpoint names, the same in every chart of a profile so the time axes line up. */
  readonly left: number;
}

const WIDTH = 900;
const RIGHT = 22;
const TOP = 10;
const BOTTOM = 36;
/** Past this many points in a series, the line chart shows the mean per window instead of every request. */
export const MAX_LINE_POINTS = 600;
/** At most this many windows in the share chart. */
const MAX_SHARE_WINDOWS = 40;
/** At least this many picks per window, on average, in the share chart (fewer make shares jump). */
const PICKS_PER_WINDOW = 12;

/** Round steps (1, 2 or 5 times a power of ten) for about `count` ticks from lo to hi. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const stepSize = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / stepSize) * stepSize; v <= hi + stepSize * 1e-9; v += stepSize) out.push(Math.round(v / stepSize) * stepSize);
  return out;
}

const tickLabel = (v: number) => String(Number(v.toPrecision(6)));

class Frame {
  readonly layout: Layout;
  readonly height: number;
  readonly plotWidth: number;
  constructor(layout: Layout, height: number) {
    this.layout = layout;
    this.height = height;
    this.plotWidth = WIDTH - layout.left - RIGHT;
  }
  get bottom(): number {
    return this.height - BOTTOM;
  }
  x(value: number): number {
    const { lo, hi } = this.layout.axis;
    return this.layout.left + (hi > lo ? ((value - lo) / (hi - lo)) * this.plotWidth : this.plotWidth / 2);
  }
  /** The x axis: ticks, grid lines and the axis's name. */
  xAxis(): string {
    const { lo, hi, label } = this.layout.axis;
    const marks = ticks(lo, hi, 8).map((v) => {
      const x = px(this.x(v));
      return empty('line', { class: 'grid', x1: x, x2: x, y1: TOP, y2: this.bottom }) + tag('text', { x, y: this.bottom + 14, 'text-anchor': 'middle' }, tickLabel(v));
    });
    return tag('g', { class: 'axis x' }, marks.join('') + tag('text', { class: 'axis-label', x: px(this.layout.left + this.plotWidth / 2), y: this.height - 4, 'text-anchor': 'middle' }, esc(label)));
  }
  svg(kind: string, attrs: Record<string, string | number | undefined>, description: string, inner: string): string {
    return tag('svg', { class: 'chart', 'data-chart': kind, ...attrs, viewBox: `0 0 ${WIDTH} ${this.height}`, width: WIDTH, height: this.height, role: 'img', 'aria-label': description }, tag('title', {}, esc(description)) + inner);
  }
}

function figure(caption: string, svg: string): string {
  return tag('figure', {}, svg + tag('figcaption', {}, caption));
}

/** Equal windows over the axis, each with the points in it; empty windows are left out. */
function windows<T extends { x: number }>(axis: Axis, points: readonly T[], count: number): Array<{ centre: number; points: T[] }> {
  const width = (axis.hi - axis.lo) / count || 1;
  const out = new Map<number, T[]>();
  for (const p of points) {
    const i = Math.min(count - 1, Math.floor((p.x - axis.lo) / width));
    const slot = out.get(i);
    if (slot) slot.push(p);
    else out.set(i, [p]);
  }
  return [...out].sort((a, b) => a[0] - b[0]).map(([i, pts]) => ({ centre: axis.lo + (i + 0.5) * width, points: pts }));
}

/**
 * One line per endpoint, each in its own band over the same time axis (one above the other, so
 * the endpoints compare at any moment without their lines hiding each other): its raw score from
 * one scorer instance at each request that scored it, the mean per window past MAX_LINE_POINTS.
 * Every band spans 0–1, or the values' range when they leave it.
 */
export function scoreChart(profile: string, scorer: string, endpoints: readonly string[], points: readonly ChartPoint[], layout: Layout, short: (e: string) => string): string {
  const band = 54;
  const frame = new Frame(layout, TOP + endpoints.length * band + BOTTOM);
  const values = points.flatMap((p) => (p.scores ? Object.values(p.scores) : []));
  const lo = Math.min(0, ...values);
  const hi = Math.max(1, ...values);
  const y = (i: number, v: number) => TOP + (i + 1) * band - 6 - ((v - lo) / (hi - lo || 1)) * (band - 14);
  const perEndpoint = endpoints.map((e) => ({ e, pts: points.flatMap((p) => (p.scores?.[e] === undefined ? [] : [{ x: p.x, v: p.scores[e] }])) }));
  const longest = Math.max(0, ...perEndpoint.map((s) => s.pts.length));
  const windowed = longest > MAX_LINE_POINTS;
  const series = perEndpoint.map(({ e, pts }, i) => {
    const drawn = windowed ? windows(layout.axis, pts, MAX_LINE_POINTS).map((w) => ({ x: w.centre, v: w.points.reduce((s, p) => s + p.v, 0) / w.points.length })) : pts;
    // A score holds until the next request reads it again: steps, not slopes, between requests.
    const line = drawn.map((p, k) => (k === 0 || windowed ? '' : `${px(frame.x(p.x))},${px(y(i, drawn[k - 1]!.v))} `) + `${px(frame.x(p.x))},${px(y(i, p.v))}`).join(' ');
    const guides = [lo, hi].map((v) => empty('line', { class: 'grid', x1: layout.left, x2: WIDTH - RIGHT, y1: px(y(i, v)), y2: px(y(i, v)) }) + tag('text', { class: 'band-tick', x: WIDTH - RIGHT + 2, y: px(y(i, v) + 3) }, tickLabel(v)));
    const label = tag('text', { x: layout.left - 6, y: px(y(i, (lo + hi) / 2) + 4), 'text-anchor': 'end' }, esc(short(e)));
    return tag('g', { class: 'series', 'data-endpoint': e, 'data-points': drawn.length }, tag('title', {}, esc(`${e}: ${drawn.length} points`)) + guides.join('') + label + empty('polyline', { points: line, stroke: layout.colours.get(e) }));
  });
  const range = lo === 0 && hi === 1 ? '0–1' : `${num(lo)}–${num(hi)}`;
  const how = windowed ? `the mean per window (${MAX_LINE_POINTS} windows; more than ${MAX_LINE_POINTS} requests)` : 'a step at each request that scored it, held until the next';
  const description = `${scorer} raw score per endpoint over the run, profile ${profile}`;
  const svg = frame.svg('score', { 'data-profile': profile, 'data-scorer': scorer }, description, frame.xAxis() + tag('g', { class: 'lines' }, series.join('')));
  return figure(`<b>${esc(scorer)}</b>: raw score per endpoint, each band ${range} (bottom to top); ${how}.`, svg);
}

function laneLabels(frame: Frame, endpoints: readonly string[], lane: (i: number) => number, short: (e: string) => string): string {
  return endpoints.map((e, i) => tag('text', { x: frame.layout.left - 6, y: px(lane(i) + 4), 'text-anchor': 'end' }, esc(short(e)))).join('');
}

/** A lane per endpoint and a tick for each request it was picked for. */
export function picksChart(profile: string, endpoints: readonly string[], points: readonly ChartPoint[], layout: Layout, short: (e: string) => string): string {
  const laneHeight = 22;
  const frame = new Frame(layout, TOP + endpoints.length * laneHeight + BOTTOM);
  const lane = (i: number) => TOP + (i + 0.5) * laneHeight;
  const series = endpoints.map((e, i) => {
    const xs = points.filter((p) => p.picked === e).map((p) => p.x);
    const d = xs.map((x) => `M${px(frame.x(x))} ${px(lane(i) - 8)}v16`).join('');
    return tag('g', { class: 'series', 'data-endpoint': e, 'data-points': xs.length }, tag('title', {}, esc(`${e}: picked ${xs.length}×`)) + empty('line', { class: 'lane', x1: layout.left, x2: WIDTH - RIGHT, y1: px(lane(i)), y2: px(lane(i)) }) + (d ? empty('path', { d, stroke: layout.colours.get(e) }) : ''));
  });
  const svg = frame.svg('picks', { 'data-profile': profile }, `picks over the run, profile ${profile}`, tag('g', { class: 'axis y' }, laneLabels(frame, endpoints, lane, short)) + frame.xAxis() + tag('g', { class: 'ticks' }, series.join('')));
  return figure('<b>Picks</b>: a tick for each request, in the lane of the endpoint the profile picked (its first target).', svg);
}

/** The share of picks per endpoint in equal windows of the run, stacked to 100 %. */
export function shareChart(profile: string, endpoints: readonly string[], points: readonly ChartPoint[], layout: Layout): string {
  const frame = new Frame(layout, 200);
  const picks = points.filter((p) => p.picked !== undefined && endpoints.includes(p.picked));
  const count = Math.max(1, Math.min(MAX_SHARE_WINDOWS, Math.floor(picks.length / PICKS_PER_WINDOW)));
  const slices = windows(layout.axis, picks, count);
  const y = (share: number) => frame.bottom - share * (frame.bottom - TOP);
  const below = slices.map(() => 0);
  const series = endpoints.map((e) => {
    const shares = slices.map((w) => w.points.filter((p) => p.picked === e).length / w.points.length);
    const top = slices.map((w, k) => `${px(frame.x(w.centre))},${px(y(below[k]! + shares[k]!))}`);
    const bottom = slices.map((w, k) => `${px(frame.x(w.centre))},${px(y(below[k]!))}`).reverse();
    shares.forEach((s, k) => (below[k]! += s));
    return tag('g', { class: 'series', 'data-endpoint': e, 'data-points': slices.length }, tag('title', {}, esc(e)) + empty('polygon', { points: [...top, ...bottom].join(' '), fill: layout.colours.get(e) }));
  });
  const yMarks = [0, 0.25, 0.5, 0.75, 1].map((v) => empty('line', { class: 'grid', x1: layout.left, x2: WIDTH - RIGHT, y1: px(y(v)), y2: px(y(v)) }) + tag('text', { x: layout.left - 6, y: px(y(v) + 4), 'text-anchor': 'end' }, `${v * 100}%`));
  const span = (layout.axis.hi - layout.axis.lo) / count;
  const svg = frame.svg('share', { 'data-profile': profile, 'data-windows': slices.length }, `share of picks per endpoint over the run, profile ${profile}`, tag('g', { class: 'areas' }, series.join('')) + tag('g', { class: 'axis y' }, yMarks.join('')) + frame.xAxis());
  return figure(`<b>Share of picks</b> per endpoint in ${count} equal windows of ${Number(span.toPrecision(3))} ${layout.axis.unit} (a point per window with picks, at its middle).`, svg);
}

/** A scorer instance's values as the summary's histogram counts them. */
export function histogramChart(profile: string, scorer: string, histogram: Histogram, count: number): string {
  const width = 270;
  const height = 96;
  const left = 8;
  const bottom = height - 22;
  const { binWidth, bins } = histogram;
  const lo = bins[0]?.[0] ?? 0;
  const last = bins[bins.length - 1]?.[0] ?? 0;
  const hi = binWidth > 0 ? last + binWidth : last;
  const plot = width - 2 * left;
  const x = (v: number) => left + (hi > lo ? ((v - lo) / (hi - lo)) * plot : plot / 2);
  const most = Math.max(1, ...bins.map(([, n]) => n));
  const barWidth = binWidth > 0 ? Math.max(1, x(lo + binWidth) - x(lo) - 1) : Math.max(2, Math.min(14, plot / Math.max(bins.length, 1) - 2));
  const bars = bins.map(([start, n]) => {
    const h = Math.max(1, (n / most) * (bottom - 6));
    const at = binWidth > 0 ? x(start) : x(start) - barWidth / 2;
    const range = binWidth > 0 ? `${num(start)}–${num(start + binWidth)}` : num(start);
    return tag('rect', { x: px(at), y: px(bottom - h), width: px(barWidth), height: px(h) }, tag('title', {}, `${range}: ${n}`));
  });
  const ends = tag('text', { x: left, y: height - 6 }, num(lo)) + tag('text', { x: width - left, y: height - 6, 'text-anchor': 'end' }, num(hi));
  const description = `${scorer}: distribution of ${count} raw values, profile ${profile}`;
  const svg = tag('svg', { class: 'histogram', 'data-profile': profile, 'data-scorer': scorer, 'data-bins': bins.length, viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': description }, tag('title', {}, esc(description)) + bars.join('') + ends);
  return figure(`<b>${esc(scorer)}</b> ${count} values, ${binWidth > 0 ? `bins ${num(binWidth)} wide` : `${bins.length} distinct`}`, svg);
}
