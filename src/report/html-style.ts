/** The report's stylesheet, inlined into the page (no network). */
export const REPORT_CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; }
header, main { max-width: 1000px; margin: 0 auto; padding: 16px 24px; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; color: #fff; }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #ffebe9; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg); padding: 0 3px; border-radius: 3px; }
.chart { width: 100%; height: auto; border: 1px solid var(--line); background: #fff; margin: 6px 0; }
.chart .grid { stroke: #eaeef2; }
.chart .axis { stroke: #8c959f; fill: none; }
.chart .tick, .chart .phase-label, .chart .fault-label, .chart .empty { font-size: 11px; fill: var(--muted); }
.chart .fault { fill: rgba(207, 34, 46, 0.12); stroke: rgba(207, 34, 46, 0.4); }
.chart .fault-label { fill: var(--fail); }
.chart .phase { stroke: #8c959f; stroke-dasharray: 4 3; }
.chart .latency { stroke: #0969da; stroke-width: 1.2; fill: none; }
.chart .lag { stroke: #8250df; stroke-width: 1.5; fill: none; }
.chart .latency-dot { stroke: #0969da; stroke-width: 3; stroke-linecap: round; fill: none; }
.chart .error-mark { stroke: var(--fail); stroke-width: 1.5; fill: none; }
.chart .bar.p50 { fill: #54aeff; }
.chart .bar.p95 { fill: #0969da; }
.chart .bar.p99 { fill: #0a3069; }
.legend { font-size: 12px; color: var(--muted); }
.legend span { margin-right: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
`;
