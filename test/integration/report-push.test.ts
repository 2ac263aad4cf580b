import { describe, expect, it } from 'vitest';
import { pushResults } from '../../src/report/index.js';
import { waitFor } from '../support/net.js';
import { sampleChaosResult, sampleContractsResult } from '../support/sample-results.js';
import { serviceUrls } from '../support/services.js';

const urls = serviceUrls();

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${urls.PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

describe('pushing results to the real Pushgateway', () => {
  it('lands in Prometheus under the documented names, per scenario', async () => {
    const job = `push-test-${Date.now()}`;
    await pushResults({ url: urls.PUSHGATEWAY_URL, job }, [sampleChaosResult('push-a'), sampleContractsResult()]);
    await pushResults({ url: urls.PUSHGATEWAY_URL, job }, [sampleChaosResult('push-b')]);
    await waitFor(async () => (await query(`msa_verify_chaos_scenario_passed{job="${job}"}`)).length === 2, 20_000);
    const observed = await query(`msa_verify_chaos_expectation_observed{job="${job}",scenario="push-a",phase="fault"}`);
    expect(observed[0]?.value[1]).toBe('3000');
    const pairs = await query(`msa_verify_contract_pair_passed{job="${job}"}`);
    expect(pairs.map((p) => p.metric.provider)).toEqual(['orders']);
    for (const group of ['kind/chaos/scenario/push-a', 'kind/chaos/scenario/push-b', 'kind/contracts']) {
      await fetch(`${urls.PUSHGATEWAY_URL}/metrics/job/${job}/${group}`, { method: 'DELETE' });
    }
  });

  it('fails with the Pushgateway named when it is unreachable', async () => {
    await expect(pushResults({ url: 'http://127.0.0.1:1', job: 'x' }, [sampleChaosResult()])).rejects.toThrow(
      /Pushgateway unreachable at http:\/\/127\.0\.0\.1:1\/metrics\/job\/x\/kind\/chaos\/scenario\/products-slow: (ECONNREFUSED|bad port)/,
    );
  });
});
