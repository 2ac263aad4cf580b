import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import type { ExpectationCatalog } from '../../src/chaos/scenario/schema.js';
import { toToxiproxyToxic } from '../../src/chaos/scenario/toxics.js';

const catalog: ExpectationCatalog = new Map([
  ['error-rate', { params: z.strictObject({ max: z.number().min(0).max(1) }) }],
  ['latency', { params: z.strictObject({ p99: z.string() }) }],
]);

const fixture = (name: string) => readFile(path.join(import.meta.dirname, '../fixtures/chaos', name), 'utf8');

async function parse(name: string, env: NodeJS.ProcessEnv = {}) {
  return parseScenarioText(`chaos/${name}`, await fixture(name), catalog, env);
}

function problemsOf(r: Awaited<ReturnType<typeof parse>>) {
  if (r.ok) throw new Error('expected the scenario to be rejected');
  return r.problems;
}

describe('chaos scenario schema', () => {
  it('accepts a valid scenario, interpolates ${VAR:-default} and fills defaults', async () => {
    const r = await parse('valid.yaml', { RATE: '25' });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.load.rate).toBe(25);
    expect(r.value.proxies[0]).toMatchObject({ listen: '127.0.0.1:26001', tap: true });
    const fault = r.value.phases[1];
    expect(fault?.kind).toBe('fault');
    if (fault?.kind !== 'fault') return;
    expect(toToxiproxyToxic(fault.faults[0]!)).toEqual({
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1000, jitter: 0 },
    });
  });

  it.each([
    [
      'unknown-toxic.yaml',
      26,
      'phases.1.faults.0.type',
      /unknown fault type "lag": expected one of latency, bandwidth/,
    ],
    ['negative-duration.yaml', 20, 'phases.0.duration', /expected a duration/],
    ['missing-proxy.yaml', 25, 'phases.1.faults.0.proxy', /unknown proxy "payments": expected one of products/],
    ['yaml-error.yaml', 8, '', /YAML syntax error/],
  ])('rejects %s at its line with a clear message', async (name, line, at, message) => {
    const problems = problemsOf(await parse(name));
    expect(problems[0]).toMatchObject({ file: `chaos/${name}`, line, path: at });
    expect(problems[0]?.message).toMatch(message);
  });

  it('checks expectation parameters against the catalog, and unknown types', async () => {
    const text = `${await fixture('valid.yaml')}    expect:\n      - type: error-rate\n        max: 2\n      - type: nope\n      - type: latency\n        p99: 1s\n        p42: 1s\n`;
    const problems = problemsOf(parseScenarioText('s.yaml', text, catalog, {}));
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [34, 'phases.2.expect.0.max'],
      [35, 'phases.2.expect.1.type'],
      [38, 'phases.2.expect.2.p42'],
    ]);
    expect(problems[1]?.message).toBe('unknown expectation type "nope": expected one of error-rate, latency');
    expect(problems[2]?.message).toBe('latency: unknown parameter "p42"');
  });

  it('rejects unknown keys, a wrong version and both toxiproxy url and managed', async () => {
    const text = (await fixture('valid.yaml'))
      .replace('version: 1', 'version: 2')
      .replace('  timeout: 2s', '  timeout: 2s\n  retries: 3')
      .replace('toxiproxy:\n', 'toxiproxy:\n  managed: true\n');
    const paths = problemsOf(parseScenarioText('s.yaml', text, catalog, {})).map((p) => p.path);
    expect(paths).toEqual(['version', 'toxiproxy', 'load.retries']);
  });
});
