const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;

/** Text for HTML and SVG: the five characters that could end a text or an attribute, escaped. */
export function esc(text: string): string {
  // Most texts (numbers, endpoint names) have none: a page has tens of thousands of them.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]!) : text;
}

type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** `name="value"` pairs, escaped; `false` and `undefined` leave the attribute out, `true` writes it bare. */
function attributes(attrs: Attributes): string {
  let out = '';
  for (const k in attrs) {
    const v = attrs[k];
    if (v === undefined || v === false) continue;
    out += v === true ? ` ${k}` : ` ${k}="${esc(String(v))}"`;
  }
  return out;
}

/** One element: `inner` is markup already (escape text with `esc`). */
export function tag(name: string, attrs: Attributes, inner = ''): string {
  return `<${name}${attributes(attrs)}>${inner}</${name}>`;
}

/** An element with no content (`<rect .../>` in SVG). */
export function empty(name: string, attrs: Attributes): string {
  return `<${name}${attributes(attrs)}/>`;
}

/** A number as the tables show it: whole numbers as they are, others with `decimals` places. */
export function num(value: number | undefined, decimals = 3): string {
  if (value === undefined || Number.isNaN(value)) return '';
  return Number.isInteger(value) ? String(value) : value.toFixed(decimals);
}

/** A coordinate for SVG: one decimal is finer than a pixel, and keeps the file small. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}
