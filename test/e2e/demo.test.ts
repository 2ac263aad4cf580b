// The demo's fast mode, run as `npm run demo` runs it (after its set-up, which the
// global setup has done): contracts pass (the gRPC pair included), a chaos scenario
// on HTTP and one on the gRPC hop pass against the resilient shop, the same scenario fails against the naive orders, the trace
// checks hold in Jaeger (their URLs end the output), and the reports are written.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildDashboards, dashboardQueries } from '../../src/dashboards/index.js';
import { checkDashboardQuery } from '../support/prometheus.js';
import { ROOT, serviceUrls } from '../support/services.js';

it('npm run demo (fast mode) runs contracts and chaos and writes its reports', async () => {
  const reports = await mkdtemp(path.join(os.tmpdir(), 'msav-demo-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.ts')], {
    cwd: ROOT,
    env: { ...process.env, MSAV_DEMO_FAST: '1', MSAV_DEMO_REPORTS: reports },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, `${output.slice(-4000)}\n${failedChaosVerdicts(reports)}`).toBe(0);
  expect(output).toMatch(/ok {3}contracts: .*: passed/);
  expect(output).toMatch(/ok {3}chaos: products slow: passed/);
  expect(output).toMatch(/ok {3}chaos: customers \(gRPC\) slow: .*: passed/);
  expect(output).toMatch(/ok {3}chaos: products slow, against the NAIVE orders .*: failed as expected/);
  expect(output).toMatch(/ok {3}trace: .*: passed/);
  // It ends with the Jaeger URL of each trace it checked.
  expect(output).toMatch(
    /traces checked \(open in Jaeger\)\S*\n {3}ok {3}order-created +http:\/\/127\.0\.0\.1:\d+\/trace\/[0-9a-f]{32}\n/,
  );
  const files = readdirSync(reports);
  for (const f of ['contracts.json', 'contracts.xml', 'trace.json', 'trace.xml', 'report.html', 'all-results.json']) {
    expect(files).toContain(f);
  }
  const naive = files.find((f) => f.endsWith('-naive.json'));
  expect(naive).toBeDefined();
  const naiveResult = JSON.parse(readFileSync(path.join(reports, naive as string), 'utf8')) as {
    results: { passed: boolean }[];
  };
  expect(naiveResult.results[0]?.passed).toBe(false);
  expect(existsSync(path.join(reports, 'report.html'))).toBe(true);

  // What Grafana would show: every panel and annotation query of every dashboard,
  // run through the real Prometheus against what this demo pushed and what the
  // preloaded services exposed, returns data. No empty panel.
  const prometheusUrl = serviceUrls().PROMETHEUS_URL;
  const values = { job: 'msa-verify', scenario: 'products-slow', service: 'orders', trace_id: '' };
  const empty: string[] = [];
  for (const dashboard of Object.values(buildDashboards())) {
    for (const q of dashboardQueries(dashboard)) {
      const problem = await checkDashboardQuery(prometheusUrl, q, values);
      if (problem) empty.push(`${(dashboard as { uid: string }).uid}: ${q.expr} -> ${problem}`);
    }
  }
  expect(empty).toEqual([]);
}, 300_000);

/**
 * Every failed verdict of the resilient chaos runs, with what was observed, so that a failure
 * of this test says whether a bound was missed by a little (machine load) or by a lot.
 */
function failedChaosVerdicts(reports: string): string {
  const lines: string[] = [];
  for (const f of readdirSync(reports).filter((x) => /^chaos-.*\.json$/.test(x) && !x.endsWith('-naive.json'))) {
    const { results } = JSON.parse(readFileSync(path.join(reports, f), 'utf8')) as {
      results: { phases?: { name: string; verdicts: { passed: boolean; type: string; message: string }[] }[] }[];
    };
    for (const phase of results.flatMap((r) => r.phases ?? [])) {
      for (const v of phase.verdicts.filter((x) => !x.passed)) lines.push(`${f} ${phase.name}/${v.type}: ${v.message}`);
    }
  }
  return lines.length ? `failed chaos verdicts:\n${lines.join('\n')}` : 'no failed chaos verdict in the reports';
}
