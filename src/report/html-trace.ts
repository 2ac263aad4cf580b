// The trace check section of the HTML report: verdicts, and the trace as a
// waterfall (one bar per span, indented by depth, offset by start time).
import type { TraceCheckResult } from '../core/trace-results.js';
import { escapeHtml as esc, formatMs } from './html-escape.js';

const badge = (passed: boolean): string =>
  `<span class="badge ${passed ? 'pass' : 'fail'}">${passed ? 'PASS' : 'FAIL'}</span>`;

/** One trace check: verdict table and waterfall. */
export function traceSection(r: TraceCheckResult): string {
  const link = r.traceUrl ? ` · <code>${esc(r.traceUrl)}</code>` : '';
  const verdicts = r.verdicts
    .map(
      (v) =>
        `<tr${v.passed ? '' : ' class="fail"'}><td>${esc(v.name)}</td><td>${badge(v.passed)}</td><td class="num">${esc(v.observed === null ? 'n/a' : `${v.observed}${v.unit ? ` ${v.unit}` : ''}`)}</td><td>${esc(v.bound)}</td><td>${esc(v.message)}</td></tr>`,
    )
    .join('');
  const missing = r.neverReported.length
    ? `<p class="fail-text">No span for this request from: ${esc(r.neverReported.join(', '))}</p>`
    : '';
  return [
    `<h3>${esc(r.check)} ${badge(r.passed)} <span class="muted">(${esc(r.file)})</span></h3>`,
    `<p class="muted">correlation id <code>${esc(r.correlationId)}</code> · trace <code>${esc(r.traceId ?? 'none')}</code> · ${esc(r.source)}${link}</p>`,
    `<table class="verdicts"><thead><tr><th>rule</th><th>verdict</th><th>observed</th><th>bound</th><th>why</th></tr></thead><tbody>${verdicts}</tbody></table>`,
    missing,
    waterfall(r),
  ].join('');
}

function waterfall(r: TraceCheckResult): string {
  if (r.spans.length === 0) return '<p class="muted">No span carries the correlation ID.</p>';
  const t0 = Math.min(...r.spans.map((s) => s.startTime));
  const t1 = Math.max(...r.spans.map((s) => s.startTime + s.durationMs));
  const total = Math.max(t1 - t0, 0.001);
  const rows = r.spans
    .map((s) => {
      const left = ((s.startTime - t0) / total) * 100;
      const width = Math.max((s.durationMs / total) * 100, 0.4);
      const cls = `bar ${s.kind}${s.status === 'error' ? ' error' : ''}${s.correlationId === r.correlationId ? '' : ' nocid'}`;
      const title = `${s.service} ${s.kind} ${s.name}: ${formatMs(s.durationMs)}, status ${s.status}, correlation.id ${s.correlationId ?? 'none'}`;
      return (
        `<div class="wf-row${s.depth === 0 && s.parentSpanId === null && s !== r.spans[0] ? ' wf-root' : ''}">` +
        `<div class="wf-label" style="padding-left:${s.depth * 14}px">${esc(s.service)} <span class="muted">${esc(s.kind)} ${esc(s.name)}</span></div>` +
        `<div class="wf-track"><div class="${cls}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%" title="${esc(title)}"></div></div>` +
        `<div class="wf-dur num">${esc(formatMs(s.durationMs))}</div></div>`
      );
    })
    .join('');
  return `<div class="waterfall">${rows}</div><p class="legend">bars: server · client · producer · consumer; red: status ERROR; hatched: no or another correlation.id; a row marked at the left edge starts another trace</p>`;
}

/** Styles of the waterfall, appended to the report's stylesheet. */
export const TRACE_CSS = `
.waterfall { border: 1px solid var(--line); margin: 6px 0; font-size: 12px; }
.wf-row { display: grid; grid-template-columns: 38% 1fr 70px; align-items: center; border-top: 1px solid #eaeef2; }
.wf-row:first-child { border-top: 0; }
.wf-row.wf-root { border-left: 3px solid var(--fail); }
.wf-label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 2px 6px; }
.wf-track { position: relative; height: 14px; background: #fff; }
.wf-track .bar { position: absolute; top: 2px; height: 10px; border-radius: 2px; background: #0969da; }
.wf-track .bar.client { background: #54aeff; }
.wf-track .bar.producer { background: #8250df; }
.wf-track .bar.consumer { background: #bf8700; }
.wf-track .bar.internal { background: #8c959f; }
.wf-track .bar.error { background: var(--fail); }
.wf-track .bar.nocid { background-image: repeating-linear-gradient(45deg, transparent 0 3px, rgba(255,255,255,.7) 3px 5px); }
.wf-dur { padding: 2px 6px; text-align: right; font-variant-numeric: tabular-nums; }
.fail-text { color: var(--fail); }
`;
