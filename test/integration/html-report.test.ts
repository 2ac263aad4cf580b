// The HTML report in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): loads without console errors or network
// requests, the charts render, and a screenshot is kept in test-results/.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosRunResult, TimelinePoint } from '../../src/core/results.js';
import { writeHtmlReport } from '../../src/report/index.js';
import { sampleChaosResult, sampleContractsResult } from '../support/sample-results.js';
import { ROOT } from '../support/services.js';

const OUT = path.join(ROOT, 'test-results/html-report');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A 30 s run: steady, a 10 s latency fault with timeouts and 5xx, recovery; a request every 50 ms. */
function realisticChaos(): ChaosRunResult {
  const base = sampleChaosResult('orders-products-slow', Date.parse('2026-11-29T18:00:00Z'));
  const timeline: TimelinePoint[] = [];
  for (let t = 0; t < 30_000; t += 50) {
    const phase = t < 10_000 ? 'steady' : t < 20_000 ? 'fault' : 'recovery';
    const jitter = ((t * 7919) % 97) / 10;
    let latencyMs = 4 + jitter;
    let status = 201;
    if (phase === 'fault') {
      latencyMs = t % 400 === 0 ? 1000 : 800 + jitter * 20;
      status = t % 400 === 0 ? 0 : t % 300 === 0 ? 503 : 201;
    }
    timeline.push({ t, latencyMs, status, phase });
  }
  const recovery = {
    name: 'recovery',
    kind: 'recovery' as const,
    startedAt: base.startedAt + 20_000,
    endedAt: base.startedAt + 30_000,
    requests: 200,
    errors: 0,
    latencyMs: { p50: 5, p95: 10, p99: 13, max: 18 },
    verdicts: [
      {
        type: 'recovery',
        name: 'recovers within 2s',
        phase: 'recovery',
        passed: true,
        observed: 450,
        bound: '<= 2s',
        unit: 'ms',
        message: 'error-free again 450ms after the fault healed',
      },
    ],
  };
  return { ...base, phases: [...base.phases, recovery], timeline };
}

let browser: Browser;
let file = '';

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  file = path.join(OUT, 'report.html');
  await writeHtmlReport(file, [realisticChaos(), sampleContractsResult()]);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a URL and records console errors, page errors and every request the page makes. */
async function open(url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { page, errors, requests };
}

describe('HTML report in headless Chromium', () => {
  it('loads without console errors or network requests, draws its charts, and is screenshotted', async () => {
    const url = pathToFileURL(file).href;
    const { page, errors, requests } = await open(url);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.title()).toBe('msa-verify report');

    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const paths = [...svg.querySelectorAll('path')].filter((p) => (p.getAttribute('d') ?? '').length > 2);
        const drawn = paths.filter((p) => {
          const b = p.getBBox();
          return b.width > 0 || b.height > 0;
        });
        return {
          label: svg.getAttribute('aria-label'),
          width: box.width,
          height: box.height,
          paths: paths.length,
          drawn: drawn.length,
          faults: svg.querySelectorAll('rect.fault').length,
        };
      }),
    );
    expect(charts.map((c) => c.label)).toEqual([
      'Latency over time: orders-products-slow',
      'Latency per phase',
      'Consumer lag over time: orders-products-slow',
    ]);
    for (const c of charts) {
      expect(c.width, String(c.label)).toBeGreaterThan(500);
      expect(c.height, String(c.label)).toBeGreaterThan(100);
      expect(c.drawn, String(c.label)).toBeGreaterThan(3);
    }
    expect(charts[0]?.faults).toBe(1);
    expect(charts[2]?.faults, 'the lag chart shows the fault window').toBe(1);
    // The latency line spans the whole run, left to right.
    const span = await page.$eval(
      'svg.chart path.latency',
      (p) => (p as unknown as { getBBox(): { width: number } }).getBBox().width,
    );
    expect(span).toBeGreaterThan(700);
    expect(await page.locator('table.verdicts tr.fail').count()).toBe(1);
    expect(await page.locator('table.interactions li').first().textContent()).toContain('body.totalCents');

    await page.screenshot({ path: path.join(OUT, 'report.png'), fullPage: true });
    await page.close();
  });

  it('the same checks catch a page that fetches from the network or throws', async () => {
    const bad = path.join(OUT, 'bad.html');
    await writeFile(bad, '<!doctype html><img src="http://127.0.0.1:9/x.png"><script>throw new Error("boom")</script>');
    const { page, errors, requests } = await open(pathToFileURL(bad).href);
    expect(requests).toContain('http://127.0.0.1:9/x.png');
    expect(errors.join('\n')).toMatch(/boom/);
    await page.close();
    await rm(bad);
  });
});
