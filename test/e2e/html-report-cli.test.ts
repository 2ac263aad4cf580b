import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonReport } from '../../src/report/index.js';
import { runCli } from '../support/cli.js';
import { sampleChaosResult, sampleContractsResult } from '../support/sample-results.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('msa-verify report html', () => {
  it('renders a JSON report into a self-contained HTML file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-report-'));
    dirs.push(dir);
    await writeJsonReport(path.join(dir, 'results.json'), [sampleChaosResult(), sampleContractsResult()]);
    const r = await runCli(['report', 'html', '--from', 'results.json', '--out', 'out/report.html'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote out/report.html (2 run(s), 0 passed)');
    const html = await readFile(path.join(dir, 'out/report.html'), 'utf8');
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('products-slow');
  });

  it('exits 2 naming the file, line and field of an invalid report', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-report-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'results.json'), '{\n  "version": 1,\n  "results": [{ "kind": "chaos" }]\n}\n');
    const r = await runCli(['report', 'html', '--from', 'results.json', '--out', 'report.html'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('results.json is not a msa-verify JSON report (version 1) [MSAV_RESULTS_INVALID]');
    expect(r.stderr).toMatch(/results\.json:3:\d+ {2}results\.0\.runId/);
    const missing = await runCli(['report', 'html', '--from', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read results file nope.json');
  });
});
