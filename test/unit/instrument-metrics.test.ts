import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/instrument/metrics.ts';

describe('RED histogram', () => {
  it('renders cumulative buckets, sum and count in Prometheus text', () => {
    const h = new Histogram('msa_verify_http_server_duration_seconds', 'help', [
      'service',
      'method',
      'route',
      'status_code',
    ]);
    h.observe(['orders', 'GET', '/api/orders/:id', '200'], 0.02);
    h.observe(['orders', 'GET', '/api/orders/:id', '200'], 3);
    const text = h.render();
    expect(text).toContain('# TYPE msa_verify_http_server_duration_seconds histogram');
    const labels = 'service="orders",method="GET",route="/api/orders/:id",status_code="200"';
    expect(text).toContain(`msa_verify_http_server_duration_seconds_bucket{${labels},le="0.01"} 0`);
    expect(text).toContain(`msa_verify_http_server_duration_seconds_bucket{${labels},le="0.025"} 1`);
    expect(text).toContain(`msa_verify_http_server_duration_seconds_bucket{${labels},le="5"} 2`);
    expect(text).toContain(`msa_verify_http_server_duration_seconds_bucket{${labels},le="+Inf"} 2`);
    expect(text).toContain(`msa_verify_http_server_duration_seconds_count{${labels}} 2`);
    expect(text).toContain(`msa_verify_http_server_duration_seconds_sum{${labels}} 3.02`);
  });

  it('escapes label values and caps the number of series', () => {
    const h = new Histogram('m', 'help', ['route']);
    h.observe(['a"b\n'], 1);
    expect(h.render()).toContain('route="a\\"b\\n"');
    for (let i = 0; i < 600; i++) h.observe([`/r${i}`], 1);
    expect(h.render().match(/_count\{/g)?.length).toBeLessThanOrEqual(501);
    expect(h.render()).toContain('m_count{route="other"}');
  });
});
