import { num } from './markup.ts';

/** ColorBrewer's sequential Blues, light to dark: the heat maps' colours, one CSS class each (`q0`…`q8`). */
export const RAMP = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'] as const;
/** From this step on, cell text is white. */
export const DARK_FROM = 5;

/**
 * How one heat map's values map to colours, and the sentence that says so in its legend. A map
 * whose values are all the same is `constant`: it is greyed, not painted (an always-0 scorer at full
 * intensity would read as a top score).
 */
export interface Scale {
  readonly lo: number;
  readonly hi: number;
  /** The one value, when every value is the same. */
  readonly constant: number | undefined;
  /** What the range is, for the legend: `0–1, raw score (outside values clamped to the ends)`. */
  readonly label: string;
  /** Decimals every cell of the map shows (the same in a column reads best): 0 when every value is whole. */
  readonly decimals: number;
}

function bounds(values: readonly number[]): { lo: number; hi: number; whole: boolean } {
  let lo = Infinity;
  let hi = -Infinity;
  let whole = true;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (!Number.isInteger(v)) whole = false;
  }
  return { lo, hi, whole };
}

/**
 * Raw scores: the fixed range 0–1 that scorers are meant to return (GIE clamps to it before
 * weighting from v1.0 on), so two scorers' maps compare; values outside take the end colours.
 */
export function rawScale(values: readonly number[]): Scale {
  const { lo, hi, whole } = bounds(values);
  const decimals = whole ? 0 : 3;
  if (values.length > 0 && lo === hi) return { lo, hi, constant: lo, label: `constant ${num(lo)}`, decimals };
  const outside = lo < 0 || hi > 1;
  return { lo: 0, hi: 1, constant: undefined, label: `0–1, raw score${outside ? ` (values from ${num(lo)} to ${num(hi)}; outside 0–1 drawn as the ends)` : ''}`, decimals };
}

/** Weighted totals: from 0 (or the lowest, when below) to the profile's highest total. */
export function totalScale(values: readonly number[]): Scale {
  const { lo, hi, whole } = bounds(values);
  const decimals = whole ? 0 : 3;
  if (values.length > 0 && lo === hi) return { lo, hi, constant: lo, label: `constant ${num(lo)}`, decimals };
  const from = Math.min(0, lo);
  return { lo: from, hi, constant: undefined, label: `${num(from)}–${num(hi)}, weighted total (0 to this profile's highest)`, decimals };
}

/** The ramp step (0…8) of a value on a scale that is not constant. */
export function step(scale: Scale, value: number): number {
  const f = scale.hi > scale.lo ? (value - scale.lo) / (scale.hi - scale.lo) : 1;
  return Math.round(Math.min(1, Math.max(0, f)) * (RAMP.length - 1));
}

/** Tableau 10: distinct on screen and in print; past ten endpoints the hues go round the wheel. */
const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** One colour per endpoint, the same in every chart and legend of the page. */
export function endpointColours(endpoints: readonly string[]): ReadonlyMap<string, string> {
  return new Map(endpoints.map((e, i) => [e, CATEGORICAL[i] ?? `hsl(${Math.round((i * 137.508) % 360)} 55% 45%)`]));
}
