// Log lines of the request: JSON lines (pino, winston) whose trace_id is the
// checked trace's must carry the correlation ID too.
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TraceRuleVerdict } from '../core/trace-results.js';

/** Judges the log files (globs, relative to `cwd`) for lines of `traceId`. */
export async function judgeLogs(
  patterns: readonly string[],
  traceId: string | null,
  correlationId: string,
  cwd: string,
): Promise<TraceRuleVerdict> {
  const base = { rule: 'logs', name: 'log lines carry the correlation ID', bound: '0 lines without it', unit: 'lines' };
  if (traceId === null) return { ...base, passed: false, observed: null, message: 'no trace, so no log line to check' };
  const files = new Set<string>();
  for (const pattern of patterns) for await (const f of glob(pattern, { cwd })) files.add(path.resolve(cwd, f));
  let lines = 0;
  const missing: string[] = [];
  for (const file of [...files].sort()) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.includes(traceId)) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (record.trace_id !== traceId) continue;
      lines++;
      if (!line.includes(correlationId)) {
        missing.push(`${path.relative(cwd, file)}:${i + 1} ('${String(record.msg ?? record.message ?? '')}')`);
      }
    }
  }
  if (lines === 0) {
    return {
      ...base,
      passed: false,
      observed: null,
      message: `no log line with trace_id ${traceId} in ${files.size} file(s) (${patterns.join(', ')})`,
    };
  }
  if (missing.length === 0) return { ...base, passed: true, observed: 0, message: `${lines} log lines carry it` };
  return {
    ...base,
    passed: false,
    observed: missing.length,
    message: `${missing.length} of ${lines} log lines lack ${correlationId}: ${missing.slice(0, 3).join(', ')}`,
  };
}
