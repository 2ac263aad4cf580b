import { type DashboardQuery, substituteVariables } from '../../src/dashboards/index.js';

/** Answer of Prometheus's HTTP API. */
export interface PromAnswer {
  status: string;
  error?: string;
  data?: unknown;
}

/** GETs a Prometheus API path (e.g. `/api/v1/query?query=...`). */
export async function prom(prometheusUrl: string, pathAndQuery: string): Promise<PromAnswer> {
  const res = await fetch(`${prometheusUrl}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as PromAnswer;
}

/**
 * Runs a dashboard query as Grafana would (instant, or over the last 5 minutes)
 * with the variables substituted; returns the problem, or undefined when it has data.
 */
export async function checkDashboardQuery(
  prometheusUrl: string,
  q: Pick<DashboardQuery, 'expr' | 'instant'>,
  values: Readonly<Record<string, string>>,
): Promise<string | undefined> {
  const expr = substituteVariables(q.expr, values);
  const now = Date.now() / 1000;
  const body = q.instant
    ? await prom(prometheusUrl, `/api/v1/query?query=${encodeURIComponent(expr)}&time=${now}`)
    : await prom(
        prometheusUrl,
        `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${now - 300}&end=${now}&step=5`,
      );
  if (body.status !== 'success') return `error: ${body.error}`;
  const result = (body.data as { result: unknown[] }).result;
  return result.length === 0 ? 'no data' : undefined;
}
