import { describe, expect, it } from 'vitest';
import { k6PointsToSamples } from '../../src/chaos/load/k6.js';

// Lines in the shape of k6's `--out json=FILE` output (Metric declarations and Points).
const OUTPUT = [
  '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time"},"metric":"http_req_duration"}',
  '{"type":"Point","data":{"time":"2026-11-29T18:00:00.120Z","value":20,"tags":{"method":"POST","status":"201","url":"http://127.0.0.1:8080/api/orders","correlation_id":"c-1"}},"metric":"http_req_duration"}',
  '{"type":"Point","data":{"time":"2026-11-29T18:00:00.100Z","value":1,"tags":{"method":"POST","status":"201"}},"metric":"http_reqs"}',
  '{"type":"Point","data":{"time":"2026-11-29T18:00:01.000Z","value":800,"tags":{"method":"GET","status":"0","error_code":"1050","url":"http://127.0.0.1:8080/api/products/p-1"}},"metric":"http_req_duration"}',
  '{"type":"Point","data":{"time":"2026-11-29T18:00:02.000Z","value":2,"tags":{}},"metric":"dropped_iterations"}',
  'not json',
].join('\n');

describe('k6 JSON output to samples', () => {
  it('makes one sample per request and dropped samples for dropped iterations', () => {
    const s = k6PointsToSamples(OUTPUT);
    const t0 = Date.parse('2026-11-29T18:00:00.100Z');
    expect(s.map((x) => [x.seq, x.status, x.error, x.method, x.path, x.correlationId])).toEqual([
      [0, 201, undefined, 'POST', '/api/orders', 'c-1'],
      [1, 0, 'k6:1050', 'GET', '/api/products/p-1', 'k6-1'],
      [2, 0, 'dropped', undefined, undefined, 'k6-2'],
      [3, 0, 'dropped', undefined, undefined, 'k6-3'],
    ]);
    expect(s[0]).toMatchObject({ intendedAt: t0, startedAt: t0, latencyMs: 20, serviceTimeMs: 20 });
    expect(s[1]?.startedAt).toBe(Date.parse('2026-11-29T18:00:00.200Z'));
  });
});
