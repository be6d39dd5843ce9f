import { RAMP } from './scale.ts';

/** The page's one style sheet (inline: the file stands alone). */
export const STYLES = `
:root { --ink: #1d2430; --muted: #5b6474; --line: #e3e6eb; --head: #f5f6f8; --bad: #b3261e; --ok: #1b7f3b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 24px 48px; color: var(--ink); background: #fff; }
header { padding: 16px 0 8px; border-bottom: 2px solid var(--line); }
h1 { font-size: 21px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; } h3 { font-size: 15px; margin: 22px 0 6px; }
nav a { margin-right: 14px; color: #2a5bb8; text-decoration: none; } nav a:hover { text-decoration: underline; }
.note, figcaption { color: var(--muted); } .bad { color: var(--bad); } .ok { color: var(--ok); }
section.profile { border-top: 2px solid var(--line); margin-top: 28px; }
table { border-collapse: separate; border-spacing: 0; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 7px; border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { background: var(--head); font-weight: 600; vertical-align: bottom; } .id { text-align: left; }
table.plain { border-top: 1px solid var(--line); border-left: 1px solid var(--line); }
td.ids { white-space: normal; max-width: 60em; }
.legend { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; align-items: center; margin: 10px 0; }
.legend .sample { display: inline-block; min-width: 46px; padding: 1px 6px; text-align: right; border: 1px solid var(--line); }
.swatches span { display: inline-block; margin-right: 14px; white-space: nowrap; }
i.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: baseline; }
.scale { font-weight: 400; font-size: 11.5px; color: var(--muted); white-space: nowrap; }
.ramp { display: inline-block; width: 64px; height: 9px; vertical-align: middle; border: 1px solid #cfd3da; background: linear-gradient(to right, ${RAMP.join(', ')}); }
.weight { font-weight: 400; color: var(--muted); }
.table-box { max-height: 72vh; overflow: auto; border: 1px solid var(--line); border-right: 0; border-bottom: 0; }
table.requests thead { position: sticky; top: 0; z-index: 3; }
table.requests th.group { text-align: center; border-bottom: 1px solid #cfd3da; }
table.requests th.group.total { background: #eef1f6; }
table.requests th.endpoint { font-weight: 500; }
.sticky-col { position: sticky; left: 0; z-index: 1; background: #fff; } thead .sticky-col { z-index: 4; background: var(--head); }
td.time { color: var(--muted); } td.sent.none { color: #b8bec8; } td.margin.tie { color: var(--muted); font-style: italic; }
${RAMP.map((c, i) => `td.q${i} { background: ${c}; }`).join(' ')}
td.dark { color: #fff; }
td.pick { outline: 2px solid #111; outline-offset: -2px; font-weight: 700; }
td.none { background: #fff; }
td.const, th.constant, .sample.const { background: repeating-linear-gradient(135deg, #f4f5f7 0 5px, #eaecef 5px 10px); color: #8a8f98; }
th.constant .scale { color: #6b7280; font-style: italic; }
td.status { text-align: left; color: var(--muted); font-style: italic; } td.problem { color: var(--bad); }
.bars div { display: flex; align-items: center; gap: 8px; margin: 3px 0; } .bars span.bar { display: inline-block; height: 14px; border-radius: 2px; }
figure { margin: 14px 0 6px; } figcaption { font-size: 12.5px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg text.band-tick { font-size: 9px; } svg text { font-size: 11px; fill: var(--muted); font-family: inherit; } svg .axis-label { font-size: 11.5px; }
svg .grid { stroke: #eceef1; } svg .lane { stroke: #eceef1; }
svg.chart polyline { fill: none; stroke-width: 1.7; stroke-linejoin: round; }
svg.chart path { stroke-width: 2; fill: none; }
svg.chart polygon { stroke: #fff; stroke-width: 0.5; }
.histograms { display: flex; flex-wrap: wrap; gap: 4px 18px; } svg.histogram rect { fill: #4292c6; }
`;
