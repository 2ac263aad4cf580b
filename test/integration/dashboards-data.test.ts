// "No empty panel": push realistic results to the real Pushgateway, serve the
// preload's RED histograms from a real /metrics endpoint scraped by the real
// Prometheus, then run every panel and annotation query of every dashboard
// (variables substituted) through Prometheus's HTTP API and require data.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ChaosRunResult } from '../../src/core/results.js';
import {
  buildDashboards,
  type DashboardQuery,
  dashboardQueries,
  dashboardVariables,
  parseLabelValues,
  substituteVariables,
} from '../../src/dashboards/index.js';
import { type ChaosProgress, pushLive, pushLiveLag, pushResults } from '../../src/report/index.js';
import { waitFor } from '../support/net.js';
import { checkDashboardQuery, prom as promApi } from '../support/prometheus.js';
import { sampleChaosResult, sampleContractsResult, sampleTraceResult } from '../support/sample-results.js';
import { serviceUrls } from '../support/services.js';

const urls = serviceUrls();
const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const job = `msa-verify-it-${id}`;
const scenario = `dash-${id}`;
const service = `svc-${id}`;
const values: Record<string, string> = { job, scenario, service, trace_id: '' };
const dashboards = Object.values(buildDashboards());

// ---- a tiny service exposing the preload's RED histograms in the agreed names ----

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

class Histogram {
  readonly #series = new Map<string, { labels: string; counts: number[]; sum: number; count: number }>();
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  observe(labels: Record<string, string>, seconds: number): void {
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    const s = this.#series.get(key) ?? { labels: key, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += seconds;
    s.count += 1;
    this.#series.set(key, s);
  }
  exposition(): string {
    const lines = [`# HELP ${this.name} test`, `# TYPE ${this.name} histogram`];
    for (const s of this.#series.values()) {
      BUCKETS.forEach((le, i) => {
        lines.push(`${this.name}_bucket{${s.labels},le="${le}"} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket{${s.labels},le="+Inf"} ${s.count}`, `${this.name}_sum{${s.labels}} ${s.sum}`);
      lines.push(`${this.name}_count{${s.labels}} ${s.count}`);
    }
    return lines.join('\n');
  }
}

const server = new Histogram('msa_verify_http_server_duration_seconds');
const client = new Histogram('msa_verify_http_client_duration_seconds');
let tick = 0;
/** Traffic between two scrapes: two routes, some 5xx, calls to a peer with transport errors. */
function simulateTraffic(): void {
  tick += 1;
  for (let i = 0; i < 5; i++) {
    server.observe({ service, method: 'GET', route: '/orders/:id', status_code: '200' }, 0.004 + i * 0.02);
    server.observe({ service, method: 'POST', route: '/orders', status_code: '201' }, 0.03 + i * 0.05);
    client.observe({ service, peer: 'products:8080', method: 'GET', status_code: '200' }, 0.01 + i * 0.01);
  }
  server.observe({ service, method: 'POST', route: '/orders', status_code: '503' }, 1.2);
  if (tick % 2 === 0) client.observe({ service, peer: 'products:8080', method: 'GET', status_code: '0' }, 1.0);
}

const metricsServer = http.createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  simulateTraffic();
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(`${server.exposition()}\n${client.exposition()}\n`);
});

// ---- Prometheus helpers ----

function prom(pathAndQuery: string) {
  return promApi(urls.PROMETHEUS_URL, pathAndQuery);
}

function checkQuery(q: Pick<DashboardQuery, 'expr' | 'instant'>): Promise<string | undefined> {
  return checkDashboardQuery(urls.PROMETHEUS_URL, q, values);
}

/** The folder Prometheus really watches for file_sd targets (from its running config). */
async function targetsDir(): Promise<string> {
  const body = await prom('/api/v1/status/config');
  const config = parse((body.data as { yaml: string }).yaml) as {
    scrape_configs: { file_sd_configs?: { files: string[] }[] }[];
  };
  const dirs = config.scrape_configs.flatMap((c) =>
    (c.file_sd_configs ?? []).flatMap((f) => f.files.map(path.dirname)),
  );
  if (dirs.includes(urls.PROMETHEUS_TARGETS_DIR)) return urls.PROMETHEUS_TARGETS_DIR;
  if (!dirs[0]) throw new Error('Prometheus has no file_sd_configs');
  return dirs[0];
}

function chaosResult(): ChaosRunResult {
  const r = sampleChaosResult(scenario, Date.now() - 30_000);
  const [steady, fault] = r.phases as [ChaosRunResult['phases'][0], ChaosRunResult['phases'][0]];
  const evidence = [
    { type: 'retry', name: 'retry <= 3 attempts', bound: '<= 3 attempts', unit: 'attempts', observed: 3, passed: true },
    { type: 'circuit-breaker', name: 'breaker opens', bound: '<= 10 calls', unit: 'calls', observed: 6, passed: true },
  ].map((v) => ({ ...v, phase: 'fault', message: `${v.name}: observed ${v.observed}` }));
  return { ...r, phases: [steady, { ...fault, verdicts: [...fault.verdicts, ...evidence] }] };
}

function progress(phase: string, i: number): ChaosProgress {
  const faulty = phase === 'fault';
  return {
    scenario,
    phase,
    requestsPerSec: 20 + i,
    errorRatio: faulty ? 0.5 + i / 100 : 0,
    p50Ms: faulty ? 800 : 5,
    p95Ms: faulty ? 2400 : 9,
    p99Ms: faulty ? 2600 : 12,
    at: Date.now(),
  };
}

let targetFile = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  const { port } = metricsServer.address() as AddressInfo;
  const dir = await targetsDir();
  await mkdir(dir, { recursive: true });
  targetFile = path.join(dir, `msav-test-${id}.json`);
  await writeFile(targetFile, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { msav_test: id } }]));

  const push = { url: urls.PUSHGATEWAY_URL, job };
  // A chaos run's live progress, then its final results (the runner's order), and a contracts run.
  for (const [phase, n] of [
    ['steady', 2],
    ['fault', 3],
    ['recovery', 1],
  ] as const) {
    for (let i = 0; i < n; i++) {
      await pushLive(push, progress(phase, i));
      // The consumer lag the runner samples during the run (it builds up after a cut heals).
      await pushLiveLag(push, scenario, [
        { consumer: 'notifications', topic: `${id}.orders`, group: `${id}.notifications`, lag: i * 7 },
      ]);
      await sleep(1100); // Prometheus scrapes the Pushgateway every second
    }
  }
  await pushResults(push, [chaosResult(), sampleContractsResult(), sampleTraceResult()]);
  await waitFor(
    async () =>
      (await checkQuery({ expr: `msa_verify_chaos_scenario_passed{job="${job}"}`, instant: true })) === undefined,
    20_000,
  );
  await waitFor(
    async () =>
      (await checkQuery({
        expr: `rate(msa_verify_http_client_duration_seconds_count{service="${service}", status_code="0"}[1m])`,
        instant: true,
      })) === undefined,
    30_000,
  );
});

afterAll(async () => {
  if (targetFile) await rm(targetFile, { force: true });
  await new Promise((resolve) => metricsServer.close(resolve));
  for (const key of [`kind/chaos/scenario/${scenario}`, 'kind/contracts']) {
    await fetch(`${urls.PUSHGATEWAY_URL}/metrics/job/${job}/${key}`, { method: 'DELETE' });
  }
});

describe('dashboards against the real Prometheus', () => {
  it('every panel and annotation query returns data (no empty panel)', async () => {
    const queries = dashboards.flatMap((d) => dashboardQueries(d));
    expect(queries.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const q of queries) {
      const problem = await checkQuery(q);
      if (problem) problems.push(`${q.dashboard} / ${q.panel} / ${q.refId}: ${problem}\n    ${q.expr}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('every variable query is valid and offers the values of this run', async () => {
    const expected: Record<string, string> = { job, scenario, service };
    for (const d of dashboards) {
      for (const v of dashboardVariables(d).filter((x) => x.type === 'query')) {
        const lv = parseLabelValues(v.query);
        expect(lv, `${String(d.uid)} $${v.name}: ${v.query}`).toBeDefined();
        if (!lv) continue;
        const match = lv.match ? `&match[]=${encodeURIComponent(substituteVariables(lv.match, values))}` : '';
        const start = Date.now() / 1000 - 600;
        const body = await prom(`/api/v1/label/${lv.label}/values?start=${start}${match}`);
        expect(body.status, `${String(d.uid)} $${v.name}: ${body.error}`).toBe('success');
        expect(body.data as string[], `${String(d.uid)} $${v.name}`).toContain(expected[v.name]);
      }
    }
  });

  it('the check fails for an invalid query and for a panel without data', async () => {
    expect(await checkQuery({ expr: 'sum by (', instant: true })).toMatch(/^error: .*parse error/);
    expect(await checkQuery({ expr: `msa_verify_run_passed{job="no-such-job-${id}"}`, instant: false })).toBe(
      'no data',
    );
    const label = await prom(`/api/v1/label/scenario/values?match[]=${encodeURIComponent('msa_verify_run_passed{')}`);
    expect(label.status).toBe('error');
  });
});
