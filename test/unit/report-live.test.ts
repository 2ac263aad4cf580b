import { describe, expect, it } from 'vitest';
import { toLiveExposition, toLiveLagExposition } from '../../src/report/index.js';

describe('live chaos progress exposition', () => {
  it('uses the documented names and units (seconds, ratio, unix seconds)', () => {
    const text = toLiveExposition({
      scenario: 'orders-products-slow',
      phase: 'fault',
      requestsPerSec: 19.5,
      errorRatio: 0.25,
      p50Ms: 800,
      p95Ms: 2400,
      p99Ms: 2600,
      at: 1_700_000_000_500,
    });
    expect(text.split('\n')).toEqual([
      '# HELP msa_verify_chaos_live_requests_per_second Request rate of the running chaos phase',
      '# TYPE msa_verify_chaos_live_requests_per_second gauge',
      'msa_verify_chaos_live_requests_per_second{scenario="orders-products-slow",phase="fault"} 19.5',
      '# HELP msa_verify_chaos_live_error_ratio Share of failed requests (0..1) in the running chaos phase',
      '# TYPE msa_verify_chaos_live_error_ratio gauge',
      'msa_verify_chaos_live_error_ratio{scenario="orders-products-slow",phase="fault"} 0.25',
      '# HELP msa_verify_chaos_live_latency_seconds Client-side latency of the running chaos phase by quantile',
      '# TYPE msa_verify_chaos_live_latency_seconds gauge',
      'msa_verify_chaos_live_latency_seconds{scenario="orders-products-slow",phase="fault",quantile="0.5"} 0.8',
      'msa_verify_chaos_live_latency_seconds{scenario="orders-products-slow",phase="fault",quantile="0.95"} 2.4',
      'msa_verify_chaos_live_latency_seconds{scenario="orders-products-slow",phase="fault",quantile="0.99"} 2.6',
      '# HELP msa_verify_chaos_live_timestamp_seconds When the live progress was measured (unix seconds)',
      '# TYPE msa_verify_chaos_live_timestamp_seconds gauge',
      'msa_verify_chaos_live_timestamp_seconds{scenario="orders-products-slow"} 1700000000.5',
      '',
    ]);
  });

  it('gives the consumer lag of every group of the scenario in one exposition', () => {
    const text = toLiveLagExposition('kafka-cut', [
      { consumer: 'notifications', topic: 'shop.orders', group: 'notifications', lag: 42 },
      { consumer: 'audit', topic: 'shop.orders', group: 'audit', lag: 0 },
    ]);
    expect(text.split('\n').slice(2)).toEqual([
      'msa_verify_chaos_live_consumer_lag_messages{scenario="kafka-cut",consumer="notifications",topic="shop.orders",group="notifications"} 42',
      'msa_verify_chaos_live_consumer_lag_messages{scenario="kafka-cut",consumer="audit",topic="shop.orders",group="audit"} 0',
      '',
    ]);
  });
});
