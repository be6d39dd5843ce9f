/** Text for HTML and SVG: the five characters that could end a text or an attribute, escaped. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' } as const)[c as '&']};`);
}

type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** `name="value"` pairs, escaped; `false` and `undefined` leave the attribute out, `true` writes it bare. */
function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${esc(String(v))}"`))
    .join('');
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
