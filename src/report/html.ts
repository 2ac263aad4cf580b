import type { ChaosRunResult, ContractPairResult, ContractsRunResult, PhaseResult } from '../core/results.js';
import { writeFileAtomic } from '../core/write-file-atomic.js';
import { latencyChart, phaseLatencyChart } from './html-charts.js';
import { deliveredSection } from './html-delivered.js';
import { escapeHtml as esc, formatMs } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';
import { TRACE_CSS, traceSection } from './html-trace.js';
import type { RunResult } from './types.js';

// One self-contained HTML page: inline CSS, inline SVG charts, no scripts and a
// Content-Security-Policy that forbids any network fetch, so it opens offline
// and can be attached to a CI run as is.

/** Options for {@link toHtml}. */
export interface HtmlReportOptions {
  /** Page title. Default `msa-verify report`. */
  readonly title?: string;
  /** Time shown as "generated at", epoch ms. Default now. */
  readonly generatedAt?: number;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const iso = (ms: number): string => new Date(ms).toISOString();
const badge = (passed: boolean): string =>
  `<span class="badge ${passed ? 'pass' : 'fail'}">${passed ? 'PASS' : 'FAIL'}</span>`;
const row = (cells: readonly string[], cls = ''): string => `<tr${cls ? ` class="${cls}"` : ''}>${cells.join('')}</tr>`;
const td = (text: string | number, num = false): string => `<td${num ? ' class="num"' : ''}>${esc(String(text))}</td>`;
const tdHtml = (html: string): string => `<td>${html}</td>`;
const head = (cols: readonly string[]): string =>
  `<thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;

/** Renders results as one self-contained HTML document. */
export function toHtml(results: readonly RunResult[], options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'msa-verify report';
  const chaos = results.filter((r): r is ChaosRunResult => r.kind === 'chaos');
  const contracts = results.filter((r): r is ContractsRunResult => r.kind === 'contracts');
  const traces = results.filter((r) => r.kind === 'trace');
  const passed = results.filter((r) => r.passed).length;
  const body = [
    `<header><h1>${esc(title)}</h1><p class="muted">${results.length} run(s): ${passed} passed, ${results.length - passed} failed. Generated ${esc(iso(options.generatedAt ?? Date.now()))}.</p>`,
    summaryTable(results),
    '</header><main>',
    chaos.length ? `<h2 id="chaos">Chaos scenarios</h2>${chaos.map(chaosSection).join('')}` : '',
    contracts.length ? `<h2 id="contracts">Contracts</h2>${contracts.map(contractsSection).join('')}` : '',
    traces.length ? `<h2 id="traces">Trace checks</h2>${traces.map(traceSection).join('')}` : '',
    results.length === 0 ? '<p>No results.</p>' : '',
    '</main>',
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}${TRACE_CSS}</style>
</head>
<body>${body}</body>
</html>
`;
}

/** Writes {@link toHtml} of the results to `file`, atomically. */
export async function writeHtmlReport(
  file: string,
  results: readonly RunResult[],
  options: HtmlReportOptions = {},
): Promise<void> {
  await writeFileAtomic(file, toHtml(results, options));
}

function summaryTable(results: readonly RunResult[]): string {
  if (results.length === 0) return '';
  const rows = results.map((r) =>
    row(
      [
        td(r.kind),
        td(r.kind === 'chaos' ? r.scenario : r.kind === 'trace' ? r.check : `${r.pairs.length} pair(s)`),
        tdHtml(badge(r.passed)),
        td(r.runId),
        td(iso(r.startedAt)),
        td(formatMs(r.endedAt - r.startedAt), true),
      ],
      r.passed ? '' : 'fail',
    ),
  );
  return `<table class="summary">${head(['kind', 'what', 'verdict', 'run id', 'started', 'duration'])}<tbody>${rows.join('')}</tbody></table>`;
}

function chaosSection(r: ChaosRunResult): string {
  const verdicts = r.phases.flatMap((p) => p.verdicts);
  const failed = verdicts.filter((v) => !v.passed).length;
  return [
    `<section class="chaos-run" id="chaos-${esc(r.scenario)}">`,
    `<h3>${esc(r.scenario)} ${badge(r.passed)}</h3>`,
    `<p class="muted">file <code>${esc(r.file)}</code> · run <code>${esc(r.runId)}</code> · ${esc(formatMs(r.endedAt - r.startedAt))} · ${verdicts.length - failed}/${verdicts.length} expectations held · rollback ${r.rolledBack ? 'complete' : '<strong>INCOMPLETE</strong>'}</p>`,
    '<p class="legend"><span><i class="swatch" style="background:#0969da"></i>latency of successful requests</span><span><i class="swatch" style="background:#cf222e"></i>failed request (×)</span><span><i class="swatch" style="background:rgba(207,34,46,0.2)"></i>fault window</span><span>dashed: phase start</span></p>',
    latencyChart(r),
    phaseTable(r),
    r.phases.length ? phaseLatencyChart(r.phases) : '',
    verdictTable(r.phases),
    deliveredSection(r),
    faultTable(r),
    '</section>',
  ].join('');
}

function phaseTable(r: ChaosRunResult): string {
  const rows = r.phases.map((p) => {
    const ok = p.verdicts.every((v) => v.passed);
    return row(
      [
        td(p.name),
        td(p.kind),
        td(`${formatMs(p.startedAt - r.startedAt)} – ${formatMs(p.endedAt - r.startedAt)}`),
        td(p.requests, true),
        td(p.errors, true),
        td(p.requests ? `${Math.round((p.errors / p.requests) * 1000) / 10}%` : '–', true),
        td(formatMs(p.latencyMs.p50), true),
        td(formatMs(p.latencyMs.p95), true),
        td(formatMs(p.latencyMs.p99), true),
        td(formatMs(p.latencyMs.max), true),
        tdHtml(p.verdicts.length ? badge(ok) : '<span class="muted">no expectations</span>'),
      ],
      ok ? '' : 'fail',
    );
  });
  return `<table class="phases">${head(['phase', 'kind', 'window', 'requests', 'errors', 'error %', 'p50', 'p95', 'p99', 'max', 'verdict'])}<tbody>${rows.join('')}</tbody></table>`;
}

function verdictTable(phases: readonly PhaseResult[]): string {
  const rows = phases.flatMap((p) =>
    p.verdicts.map((v) =>
      row(
        [
          td(v.phase),
          td(v.name),
          td(v.type),
          tdHtml(badge(v.passed)),
          td(v.observed === null ? 'not measured' : `${v.observed} ${v.unit}`, true),
          td(v.bound),
          td(v.message),
        ],
        v.passed ? '' : 'fail',
      ),
    ),
  );
  if (rows.length === 0) return '<p class="muted">No expectations.</p>';
  return `<table class="verdicts">${head(['phase', 'expectation', 'type', 'verdict', 'observed', 'bound', 'why'])}<tbody>${rows.join('')}</tbody></table>`;
}

function faultTable(r: ChaosRunResult): string {
  if (r.faults.length === 0) return '<p class="muted">No faults were injected.</p>';
  const rows = r.faults.map((f) =>
    row([
      td(f.proxy),
      td(f.type),
      td(f.toxic),
      td(formatMs(f.startedAt - r.startedAt), true),
      td(formatMs(f.endedAt - r.startedAt), true),
      td(formatMs(f.endedAt - f.startedAt), true),
    ]),
  );
  return `<table class="faults">${head(['proxy', 'fault', 'toxic', 'from', 'to', 'duration'])}<tbody>${rows.join('')}</tbody></table>`;
}

function contractsSection(r: ContractsRunResult): string {
  const pairRows = r.pairs.map((p) => {
    const ok = p.interactions.filter((i) => i.passed).length;
    return row(
      [
        td(p.consumer),
        td(p.provider),
        td(p.kind),
        tdHtml(badge(p.passed)),
        td(`${ok}/${p.interactions.length}`, true),
        td(formatMs(p.durationMs), true),
      ],
      p.passed ? '' : 'fail',
    );
  });
  return [
    `<section class="contracts-run"><h3>Run <code>${esc(r.runId)}</code> ${badge(r.passed)}</h3>`,
    `<table class="pairs">${head(['consumer', 'provider', 'type', 'verdict', 'interactions verified', 'duration'])}<tbody>${pairRows.join('')}</tbody></table>`,
    r.pairs.map(pairDetails).join(''),
    ...(r.withoutPacts ?? []).map(
      (w) =>
        `<p class="${w.allowed ? '' : 'fail'}">${esc(w.provider)}: no pact to verify${w.allowed ? ' (allowed)' : ''}</p>`,
    ),
    '</section>',
  ].join('');
}

function pairDetails(p: ContractPairResult): string {
  const rows = p.interactions.map((i) => {
    const mismatches = i.mismatches.length
      ? `<ul>${i.mismatches
          .map(
            (m) =>
              `<li><code>${esc(m.path)}</code>: ${esc(m.message)}${m.expected !== undefined ? ` (expected ${esc(m.expected)}` : ''}${m.actual !== undefined ? `${m.expected !== undefined ? ', ' : ' ('}actual ${esc(m.actual)})` : m.expected !== undefined ? ')' : ''}</li>`,
          )
          .join('')}</ul>`
      : '';
    return row(
      [td(i.description), td(i.providerStates.join('; ') || '–'), tdHtml(badge(i.passed)), tdHtml(mismatches)],
      i.passed ? '' : 'fail',
    );
  });
  return `<h3>${esc(p.consumer)} → ${esc(p.provider)} <span class="muted">(${esc(p.kind)})</span></h3><table class="interactions">${head(['interaction', 'provider states', 'verdict', 'mismatches'])}<tbody>${rows.join('')}</tbody></table>`;
}
