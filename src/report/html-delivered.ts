import type { ChaosRunResult } from '../core/results.js';
import { lagChart } from './html-charts.js';
import { escapeHtml as esc, formatMs } from './html-escape.js';

// The "Messages" part of a chaos run in the HTML report: what each `delivered`
// check counted, for the run and per phase the messages were published in,
// with example ids of lost, duplicated and late messages.

/** A table of the run's delivered counts; empty string when the run had no delivered check. */
export function deliveredSection(r: ChaosRunResult): string {
  const counts = r.phases.flatMap((p) => p.deliveries ?? []);
  if (counts.length === 0) return lagSection(r);
  const num = (n: number, bad = false): string => `<td class="num">${bad && n > 0 ? `<strong>${n}</strong>` : n}</td>`;
  const rows = counts.map((d) => {
    const examples = [
      d.examples.lost.length ? `lost: ${d.examples.lost.join(', ')}` : '',
      d.examples.duplicated.length ? `duplicated: ${d.examples.duplicated.join(', ')}` : '',
      d.examples.late.length ? `late: ${d.examples.late.join(', ')}` : '',
    ].filter(Boolean);
    return `<tr${d.lost > 0 || d.late > 0 ? ' class="fail"' : ''}><td>${esc(d.name)}</td><td>${esc(`${d.consumer} (${d.transport})`)}</td><td>${esc(d.phase)}</td>${num(d.published)}${num(d.processed)}${num(d.lost, true)}${num(d.duplicated)}${num(d.late, true)}<td class="num">${d.delayMs ? `${esc(formatMs(d.delayMs.p50))} / ${esc(formatMs(d.delayMs.max))}` : '–'}</td><td>${esc(examples.join('; ') || '–')}</td></tr>`;
  });
  const head = [
    'check',
    'consumer',
    'published in',
    'published',
    'processed',
    'lost',
    'duplicated',
    'late',
    'delay p50 / max',
    'examples',
  ]
    .map((c) => `<th>${esc(c)}</th>`)
    .join('');
  return `<h4>Messages: published vs processed</h4><table class="deliveries"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>${lagSection(r)}`;
}

/** Consumer lag sampled during the run: a chart with the fault windows, and what was read. */
function lagSection(r: ChaosRunResult): string {
  const series = r.consumerLag ?? [];
  if (series.length === 0) return '';
  const lines = series.map((l) => {
    const peak = l.points.length > 0 ? Math.max(...l.points.map((p) => p.lag)) : undefined;
    const failed = l.failedReads ? `; ${l.failedReads.count} read(s) failed, first: ${l.failedReads.first}` : '';
    return `<li>${esc(`${l.consumer}: group ${l.group} on topic ${l.topic}, ${l.points.length} sample(s)${peak === undefined ? '' : `, max lag ${peak}`}${failed}`)}</li>`;
  });
  return `<h4>Consumer lag (end offsets - committed offsets)</h4><ul class="lag">${lines.join('')}</ul>${lagChart(r)}`;
}
