import { describe, expect, it } from 'vitest';
import { toExposition, toJunitXml } from '../../src/report/index.js';
import { sampleChaosResult, sampleContractsResult } from '../support/sample-results.js';

describe('JUnit XML', () => {
  it('has one testcase per interaction and expectation, failures with their message', () => {
    const xml = toJunitXml([sampleContractsResult(), sampleChaosResult()]);
    expect(xml).toContain('<testsuites name="msa-verify" tests="4" failures="2">');
    expect(xml).toContain('name="a request for an order &lt;with&gt; &quot;quotes&quot; &amp; ampersands"');
    expect(xml).toContain('body.totalCents: field missing (expected a number, actual missing)');
    expect(xml).toContain('<failure message="a request waited 3000ms, longer than the 1s budget">');
    expect(xml).toMatch(/<testcase classname="chaos.products-slow.steady" name="latency p99" time="10.000"\/>/);
  });

  it('reports a failed rollback as its own failure', () => {
    const xml = toJunitXml([{ ...sampleChaosResult(), rolledBack: false }]);
    expect(xml).toContain('name="rollback"');
    expect(xml).toContain('faults were not all removed');
  });
});

describe('Prometheus exposition', () => {
  it('uses the documented names with escaped labels', () => {
    const text = toExposition([sampleContractsResult(), sampleChaosResult()]);
    expect(text).toContain('msa_verify_contract_pair_passed{consumer="gateway",provider="orders",type="http"} 0');
    expect(text).toContain(
      'msa_verify_contract_interaction_passed{consumer="gateway",provider="orders",type="http",interaction="a request for an order <with> \\"quotes\\" & ampersands"} 0',
    );
    expect(text).toContain(
      'msa_verify_chaos_expectation_observed{scenario="products-slow",phase="fault",expectation="timeout",name="timeout <= 1s",unit="ms",bound="<= 1s"} 3000',
    );
    expect(text).toContain(
      'msa_verify_chaos_phase_requests{scenario="products-slow",phase="fault",result="error"} 150',
    );
    expect(text).toContain(
      'msa_verify_chaos_delivered_messages{scenario="products-slow",name="every order processed",consumer="notifications",transport="kafka",phase="all",result="lost"} 2',
    );
    expect(text).toContain(
      'msa_verify_chaos_delivered_delay_seconds{scenario="products-slow",name="every order processed",consumer="notifications",transport="kafka",phase="all",quantile="1"} 4.2',
    );
    expect(text).toContain(
      'msa_verify_chaos_consumer_lag_max_messages{scenario="products-slow",name="every order processed",consumer="notifications",topic="shop.orders",group="notifications"} 36',
    );
    // Every name is declared once with HELP and TYPE.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(new Set(types).size).toBe(types.length);
  });
});
