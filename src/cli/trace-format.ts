import { formatDuration } from '../core/duration.js';
import type { TraceCheckResult } from '../core/trace-results.js';

/** The terminal lines of one trace check: headline, the trace as a tree, a verdict per rule. */
export function traceLines(r: TraceCheckResult): string[] {
  const lines = [
    `${r.passed ? 'PASS' : 'FAIL'} ${r.check} (${r.file}) correlation id ${r.correlationId}, ` +
      `trace ${r.traceId ?? 'none'}, ${formatDuration(r.endedAt - r.startedAt)}`,
  ];
  if (r.spans.length > 0) {
    lines.push(`  trace (${r.source}):`);
    const t0 = Math.min(...r.spans.map((s) => s.startTime));
    for (const s of r.spans) {
      const other = s.depth === 0 && s !== r.spans[0] ? '  <- another trace' : '';
      const cid =
        s.correlationId === r.correlationId
          ? ''
          : s.correlationId
            ? '  [other correlation.id]'
            : '  [no correlation.id]';
      lines.push(
        `    ${'  '.repeat(s.depth)}${s.service} ${s.kind} ${s.name}  +${formatDuration(Math.round(s.startTime - t0))} ` +
          `${formatDuration(s.durationMs)}${s.status === 'error' ? ' ERROR' : ''}${cid}${other}`,
      );
    }
  }
  for (const v of r.verdicts) {
    const observed =
      v.observed === null ? 'n/a' : v.unit === 'ms' ? formatDuration(v.observed) : `${v.observed} ${v.unit}`;
    lines.push(`  ${v.passed ? 'ok  ' : 'FAIL'} ${v.name}: observed ${observed}, bound ${v.bound}. ${v.message}`);
  }
  if (r.neverReported.length) lines.push(`  no span for this request from: ${r.neverReported.join(', ')}`);
  if (r.traceUrl) lines.push(`  open: ${r.traceUrl}`);
  return lines;
}
