import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMsaVerifyError } from '../../src/core/errors.js';
import { niceTicks } from '../../src/report/html-charts.js';
import { readResultsFile, toHtml, writeHtmlReport, writeJsonReport } from '../../src/report/index.js';
import { sampleChaosResult, sampleContractsResult } from '../support/sample-results.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'msav-html-'));
  dirs.push(d);
  return d;
}

describe('HTML report', () => {
  const html = toHtml([sampleChaosResult('products-slow', 1_000_000), sampleContractsResult(2_000_000)], {
    generatedAt: 3_000_000,
  });

  it('is one self-contained document: inline style, no script, no external reference, CSP without network', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|<iframe|<img|\bsrc=|\bhref=|@import|url\(/i);
    // The only URL is the SVG namespace, which is never fetched.
    expect(html.match(/https?:\/\/[^"' <]+/g)).toEqual(expect.arrayContaining(['http://www.w3.org/2000/svg']));
    expect(new Set(html.match(/https?:\/\/[^"' <]+/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('shows chaos phases, verdicts with observed vs bound, and a shaded fault window', () => {
    expect(html).toContain('<h3>products-slow <span class="badge fail">FAIL</span></h3>');
    expect(html).toMatch(/<tr class="fail"><td>fault<\/td><td>timeout &lt;= 1s<\/td><td>timeout<\/td>/);
    expect(html).toContain('<td class="num">3000 ms</td><td>&lt;= 1s</td>');
    expect(html).toContain('a request waited 3000ms, longer than the 1s budget');
    expect(html).toMatch(/<rect class="fault" x="[\d.]+" y="16" width="[\d.]+"/);
    expect(html).toContain('latency @ products');
    expect(html).toMatch(/<path class="latency" d="M[\d.]+ [\d.]+"/);
    expect(html).toMatch(/<path class="error-mark" d="M/);
    expect(html).toContain('rollback complete');
  });

  it('shows what delivered checks counted, lost ids marked', () => {
    expect(html).toContain('<h4>Messages: published vs processed</h4>');
    expect(html).toContain(
      '<tr class="fail"><td>every order processed</td><td>notifications (kafka)</td><td>all</td><td class="num">40</td><td class="num">38</td><td class="num"><strong>2</strong></td><td class="num">1</td><td class="num">0</td><td class="num">40 ms / 4.2 s</td><td>lost: o-7, o-9; duplicated: o-3</td></tr>',
    );
    const plain = toHtml([sampleContractsResult(2_000_000)]);
    expect(plain).not.toContain('Messages: published vs processed');
  });

  it('draws the consumer lag over time with the fault window, and says what was read', () => {
    const lag = html.slice(html.indexOf('<h4>Consumer lag'));
    expect(lag).toContain(
      '<li>notifications: group notifications on topic shop.orders, 3 sample(s), max lag 36; 1 read(s) failed, first: Connection timeout</li>',
    );
    expect(lag).toMatch(/aria-label="Consumer lag over time: products-slow"/);
    expect(lag).toMatch(/<rect class="fault" x="[\d.]+"[\s\S]*?<path class="lag" d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+L/);
    const { consumerLag: _none, ...without } = sampleChaosResult('products-slow', 1_000_000);
    expect(toHtml([without])).not.toContain('Consumer lag');
  });

  it('shows contract pairs, interactions and escaped mismatches', () => {
    expect(html).toContain('<td>gateway</td><td>orders</td><td>http</td><td><span class="badge fail">FAIL</span></td>');
    expect(html).toContain('a request for an order &lt;with&gt; &quot;quotes&quot; &amp; ampersands');
    expect(html).toContain('<li><code>body.totalCents</code>: field missing (expected a number, actual missing)</li>');
    expect(html).toContain('<td class="num">1/2</td>');
  });

  it('says when a rollback was incomplete and when there are no results', () => {
    expect(toHtml([{ ...sampleChaosResult(), rolledBack: false }])).toContain('rollback <strong>INCOMPLETE</strong>');
    expect(toHtml([])).toContain('<p>No results.</p>');
    expect(toHtml([{ ...sampleChaosResult(), timeline: [] }])).toContain('no requests recorded');
  });

  it('picks round axis ticks', () => {
    expect(niceTicks(3150)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(niceTicks(12.6)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(0)).toEqual([0]);
  });
});

describe('readResultsFile', () => {
  it('reads back what writeJsonReport wrote, and renders it', async () => {
    const dir = await tmp();
    const results = [sampleChaosResult(), sampleContractsResult()];
    await writeJsonReport(path.join(dir, 'results.json'), results);
    expect(await readResultsFile(path.join(dir, 'results.json'))).toEqual(results);
    await writeHtmlReport(path.join(dir, 'out/report.html'), results);
    expect(await readFile(path.join(dir, 'out/report.html'), 'utf8')).toContain('products-slow');
  });

  it('rejects a file that is not a report, naming file, line and field', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'bad.json');
    const good = JSON.stringify({ version: 1, results: [sampleContractsResult()] }, null, 2);
    await writeFile(file, good.replace('"passed": false', '"passed": "no"'));
    const error = await readResultsFile(file).catch((e: unknown) => e);
    expect(isMsaVerifyError(error) && error.code).toBe('MSAV_RESULTS_INVALID');
    const problems = isMsaVerifyError(error) ? error.problems : [];
    expect(problems[0]).toMatchObject({ file, path: 'results.0.passed' });
    expect(problems[0]?.line).toBeGreaterThan(1);
    const missing = await readResultsFile(path.join(dir, 'none.json')).catch((e: unknown) => e);
    expect(isMsaVerifyError(missing) && missing.message).toMatch(/cannot read results file .*none\.json/);
  });
});
