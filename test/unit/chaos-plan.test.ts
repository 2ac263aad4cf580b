import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectationRegistry } from '../../src/chaos/expectations/registry.js';
import { describePlan, planRun, targetAllowed } from '../../src/chaos/runner/plan.js';
import { ProgressWindow } from '../../src/chaos/runner/progress.js';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import { isMsaVerifyError } from '../../src/core/errors.js';

async function loaded(name: string, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(import.meta.dirname, '../../chaos', name);
  const r = parseScenarioText(`chaos/${name}`, await readFile(file, 'utf8'), expectationRegistry, env);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { scenario: r.value, file, display: `chaos/${name}` };
}

const limits = { allowTargets: ['127.0.0.1:*', 'localhost:*'], maxDurationMs: 600_000 };

describe('chaos run plan', () => {
  it('matches host:port patterns with * wildcards', () => {
    expect(targetAllowed('127.0.0.1:8081', ['127.0.0.1:*'])).toBe(true);
    expect(targetAllowed('example:443', ['*.example:443'])).toBe(false);
    expect(targetAllowed('api.staging.example:443', ['*.staging.example:443'])).toBe(true);
    expect(targetAllowed('10.0.0.1:80', ['127.0.0.1:*', 'localhost:*'])).toBe(false);
  });

  it('resolves phases, offsets and toxics of the example scenarios', async () => {
    const plan = planRun(await loaded('products-slow.yaml'), limits);
    expect(plan.phases.map((p) => [p.spec.name, p.offsetMs, p.durationMs])).toEqual([
      ['warm-up', 0, 1000],
      ['steady', 1000, 2000],
      ['products-slow', 3000, 6000],
      ['healed', 9000, 6000],
    ]);
    expect(plan.phases[2]?.toxics[0]?.toxic).toEqual({
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 5000, jitter: 0 },
    });
    expect(plan.toxiproxy).toEqual({ url: 'http://127.0.0.1:8474', managed: false });
    const down = planRun(await loaded('products-down.yaml'), limits);
    expect(down.phases[1]?.disable).toEqual(['products']);
    const rabbit = planRun(await loaded('rabbitmq-cut.yaml'), limits);
    expect(rabbit.maxTotalMs).toBe(10_000 + 30_000);
    expect(describePlan(rabbit).at(-3)).toMatch(
      /eventually accepted-visible: http:\/\/127\.0\.0\.1:8083\/api\/deliveries\/\{id\} within 30s/,
    );
    expect(describePlan(rabbit).at(-2)).toBe('  eventually delivered: processed by delivery (rabbitmq) within 20s');
  });

  it('refuses targets outside the allow-list, naming the field', async () => {
    try {
      planRun(await loaded('products-reset.yaml', { SHOP_ORDERS_URL: 'http://10.1.2.3:8081' }), limits);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(isMsaVerifyError(error) && error.code).toBe('MSAV_TARGET_NOT_ALLOWED');
      expect(isMsaVerifyError(error) && error.problems.map((p) => p.path)).toEqual(['load.target']);
    }
  });

  it('caps the total duration', async () => {
    const s = await loaded('products-down.yaml');
    expect(() => planRun(s, { ...limits, maxDurationMs: 5000 })).toThrow(/more than chaos\.maxDuration 5s/);
  });
});

describe('progress window', () => {
  it('reports rate, error rate and p50/p95/p99 over the last second', () => {
    const w = new ProgressWindow();
    const sample = (status: number, latencyMs: number) => ({
      seq: 0,
      intendedAt: 0,
      startedAt: 0,
      latencyMs,
      serviceTimeMs: latencyMs,
      status,
      correlationId: 'x',
    });
    w.add(sample(200, 10), 1000);
    w.add(sample(503, 20), 1500);
    w.add(sample(0, 900), 1900);
    expect(w.stats(2000)).toEqual({ rps: 3, errorRate: 2 / 3, p50Ms: 20, p95Ms: 900, p99Ms: 900 });
    expect(w.stats(2600)).toEqual({ rps: 1, errorRate: 1, p50Ms: 900, p95Ms: 900, p99Ms: 900 });
  });
});
