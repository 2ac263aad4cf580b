// Registry references in scenarios (schema, plan, allow-list), entry values,
// and the verdicts that judge a proxy placed through the registry.
import { describe, expect, it } from 'vitest';
import { expectationCatalog } from '../../src/chaos/index.js';
import { addOnPathVerdicts } from '../../src/chaos/runner/on-path.js';
import { describePlan, planRun } from '../../src/chaos/runner/plan.js';
import { addRegistryVerdicts } from '../../src/chaos/runner/registry-verdict.js';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import { entryAddress, rewriteEntry } from '../../src/core/discovery/entry-value.js';
import type { PhaseResult } from '../../src/core/results.js';

const ETCD = '{ etcd: { url: "http://127.0.0.1:2379" }, key: /shop/services/products }';

function scenario(upstream: string, extra = '', target = 'http://127.0.0.1:8081'): string {
  return `version: 1
name: disc
toxiproxy: { url: "http://127.0.0.1:8474" }
proxies:
  - name: products
    listen: 127.0.0.1:18482
    upstream: ${upstream}
${extra}load:
  target: ${target}
  rate: 5
  requests: [{ method: GET, path: / }]
phases:
  - { name: s, kind: steady, duration: 1s }
  - name: f
    kind: fault
    duration: 1s
    faults: [{ proxy: products, type: down }]
`;
}

const parse = (text: string) => parseScenarioText('chaos/disc.yaml', text, expectationCatalog, {});

describe('registry references in scenarios', () => {
  it('accepts a discovery upstream with placement registry and a discovery load target', () => {
    const r = parse(
      scenario(
        `{ discovery: ${ETCD} }`,
        '    placement: registry\n',
        `{ discovery: ${ETCD.replace('products', 'orders')} }`,
      ),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.proxies[0]?.placement).toBe('registry');
    const plan = planRun(
      { scenario: r.value, file: '/x/disc.yaml', display: 'disc.yaml' },
      {
        allowTargets: ['127.0.0.1:*'],
        maxDurationMs: 60_000,
      },
    );
    const lines = describePlan(plan).join('\n');
    expect(lines).toContain(
      'upstream the instance registered at etcd http://127.0.0.1:2379 key /shop/services/products',
    );
    expect(lines).toContain('the registry entry is re-pointed to 127.0.0.1:18482 for the run');
    expect(lines).toContain('against the instance registered at etcd http://127.0.0.1:2379 key /shop/services/orders');
  });

  it('rejects placement registry without a discovery upstream, naming the field (exit 2 in the CLI)', () => {
    const r = parse(scenario('127.0.0.1:8082', '    placement: registry\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({ file: 'chaos/disc.yaml', path: 'proxies.0.placement', line: 8 });
    expect(r.problems[0]?.message).toMatch(/placement registry needs upstream: \{ discovery/);
  });

  it('rejects two proxies re-pointing the same entry', () => {
    const text = scenario(`{ discovery: ${ETCD} }`, '    placement: registry\n').replace(
      'load:',
      `  - { name: again, listen: 127.0.0.1:18483, upstream: { discovery: ${ETCD} }, placement: registry }\nload:`,
    );
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({ path: 'proxies.1.upstream.discovery.key' });
    expect(r.problems[0]?.message).toMatch(/already re-pointed by another proxy/);
  });

  it.each([
    ['{ discovery: { key: /a } }', 'proxies.0.upstream', /discovery\.etcd: expected object/],
    ['{ discovery: { etcd: { url: "ftp://x" }, key: /a } }', 'proxies.0.upstream.discovery.etcd.url', /http/],
    [
      '{ discovery: { etcd: { url: "http://127.0.0.1:2379" }, key: "" } }',
      'proxies.0.upstream.discovery.key',
      /registry key/,
    ],
    [
      '{ registry: /a }',
      'proxies.0.upstream',
      /expected host:port or a URL or \{ discovery.*unknown key\(s\) registry/,
    ],
    ['42', 'proxies.0.upstream', /expected host:port or a URL or \{ discovery/],
  ])('rejects upstream %s at %s', (upstream, at, message) => {
    const r = parse(scenario(upstream));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]?.path).toBe(at);
    expect(r.problems[0]?.message).toMatch(message);
  });

  it('checks the registry address itself against chaos.allowTargets offline', () => {
    const r = parse(scenario(`{ discovery: ${ETCD.replace('127.0.0.1:2379', '10.0.0.9:2379')} }`));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(() =>
      planRun(
        { scenario: r.value, file: '/x/disc.yaml', display: 'disc.yaml' },
        {
          allowTargets: ['127.0.0.1:*'],
          maxDurationMs: 60_000,
        },
      ),
    ).toThrow(/address not allowed/);
  });
});

describe('registry entry values', () => {
  it('reads a URL, host:port or JSON with url, and nothing else', () => {
    expect(entryAddress('{"url":"http://127.0.0.1:8082","pid":1}')).toEqual({
      url: 'http://127.0.0.1:8082',
      hostPort: '127.0.0.1:8082',
    });
    expect(entryAddress('127.0.0.1:9000')?.url).toBe('http://127.0.0.1:9000');
    expect(entryAddress('https://svc.test/api')?.hostPort).toBe('svc.test:443');
    expect(entryAddress('{"host":"x"}')).toBeNull();
    expect(entryAddress('not an address')).toBeNull();
  });

  it('rewrites only the address, keeping scheme, path and other fields', () => {
    expect(JSON.parse(rewriteEntry('{"url":"http://127.0.0.1:8082/v1","pid":7}', '127.0.0.1:18482'))).toEqual({
      url: 'http://127.0.0.1:18482/v1',
      pid: 7,
    });
    expect(rewriteEntry('127.0.0.1:8082', '127.0.0.1:18482')).toBe('127.0.0.1:18482');
    expect(rewriteEntry('http://127.0.0.1:8082', '127.0.0.1:18482')).toBe('http://127.0.0.1:18482');
  });
});

const phase = (name: string, startedAt: number, endedAt: number): PhaseResult => ({
  name,
  kind: 'steady',
  startedAt,
  endedAt,
  requests: 10,
  errors: 0,
  latencyMs: { p50: 1, p95: 1, p99: 1, max: 1 },
  verdicts: [],
});

describe('verdicts of a proxy placed through the registry', () => {
  const spec = parse(scenario(`{ discovery: ${ETCD} }`, '    placement: registry\n'));
  if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
  const proxies = spec.value.proxies;

  it('fails the registry verdict when the entry was lost during the run, saying when and why', () => {
    const [out] = addRegistryVerdicts(
      [phase('s', 0, 1000)],
      new Map([
        [
          'products',
          {
            repointed: [],
            lost: [{ from: 500, why: 'it was deleted (the instance deregistered, or its lease expired)' }],
          },
        ],
      ]),
      proxies,
    );
    const v = out?.verdicts[0];
    expect(v).toMatchObject({ type: 'registry-path', passed: false, observed: 1 });
    expect(v?.message).toMatch(
      /stopped pointing at 127\.0\.0\.1:18482 during the run and was not re-pointed.*lease expired/,
    );
  });

  it('passes it when every loss was repaired by re-pointing the new registration, listing the gaps', () => {
    const [out] = addRegistryVerdicts(
      [phase('s', 0, 1000)],
      new Map([['products', { repointed: [700], lost: [{ from: 500, to: 700, why: 'it was deleted' }] }]]),
      proxies,
    );
    expect(out?.verdicts[0]?.passed).toBe(true);
    expect(out?.verdicts[0]?.message).toMatch(
      /re-pointed again 1 time\(s\) .*\(it was deleted, re-pointed 200ms later\)/,
    );
  });

  it('on-path names a caller that cached the address it resolved before the run', () => {
    const out = addOnPathVerdicts(
      [phase('s', 0, 1000), phase('f', 1000, 2000)],
      [{ proxy: 'products', type: 'latency', startedAt: 1100, endedAt: 1900 } as never],
      [
        {
          name: 'products',
          listen: '127.0.0.1:18482',
          upstream: '127.0.0.1:8082',
          connections: 0,
          registryKey: '/shop/services/products',
        },
      ],
    );
    const v = out[1]?.verdicts[0];
    expect(v?.passed).toBe(false);
    expect(v?.message).toMatch(
      /registry entry \/shop\/services\/products pointed at 127\.0\.0\.1:18482 for the run, yet the caller kept calling 127\.0\.0\.1:8082: it does not follow the registry/,
    );
  });
});
