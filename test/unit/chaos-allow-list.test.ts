// Every address msa-verify connects to or listens on is checked against
// chaos.allowTargets offline, at the field's line and column; hostile YAML is a
// located problem, not a crash; the dry-run echo is bounded.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/app/validate.js';
import { expectationRegistry } from '../../src/chaos/expectations/registry.js';
import { describePlan, MAX_PLAN_LINE, planRun } from '../../src/chaos/runner/plan.js';
import { parseScenarioText } from '../../src/chaos/scenario/load.js';
import { formatProblem, isMsaVerifyError } from '../../src/core/errors.js';
import { MAX_SOURCE_BYTES, parseYamlSource } from '../../src/core/yaml-source.js';

const limits = { allowTargets: ['127.0.0.1:*', 'localhost:*'], maxDurationMs: 600_000 };

function scenarioText(over: { toxiproxy?: string; listen?: string; requests?: string } = {}): string {
  return `version: 1
name: addresses
toxiproxy:
  url: ${over.toxiproxy ?? 'http://127.0.0.1:8474'}
proxies:
  - name: web
    listen: "${over.listen ?? '127.0.0.1:18000'}"
    upstream: 127.0.0.1:8080
load:
  target: http://127.0.0.1:8081
  rate: 5
  requests: ${over.requests ?? '[{ path: / }]'}
phases:
  - { name: steady, kind: steady, duration: 1s }
`;
}

function refusal(text: string, allowTargets = limits.allowTargets): string[] {
  const parsed = parseScenarioText('s.yaml', text, expectationRegistry, {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  try {
    planRun(
      { scenario: parsed.value, file: '/x/s.yaml', display: 's.yaml', locate: parsed.locate },
      {
        ...limits,
        allowTargets,
      },
    );
    return [];
  } catch (error) {
    if (!isMsaVerifyError(error)) throw error;
    expect(error.code).toBe('MSAV_TARGET_NOT_ALLOWED');
    return error.problems.map(formatProblem);
  }
}

describe('allow-list: every address, located', () => {
  it("refuses a scenario's non-loopback toxiproxy.url at its line and column", () => {
    expect(refusal(scenarioText({ toxiproxy: 'http://10.0.0.5:8474' }))).toEqual([
      's.yaml:4:8  toxiproxy.url  10.0.0.5:8474 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
    ]);
  });

  it('refuses a Jaeger span source outside the allow-list at its line and column', () => {
    const jaeger = (url: string) => `${scenarioText()}traces:\n  jaeger:\n    url: ${url}\n    services: [orders]\n`;
    expect(refusal(jaeger('http://127.0.0.1:16686'))).toEqual([]);
    expect(refusal(jaeger('http://jaeger.example:16686'))).toEqual([
      's.yaml:17:10  traces.jaeger.url  jaeger.example:16686 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
    ]);
  });

  it('refuses listen: 0.0.0.0 unless allowed, saying why', () => {
    expect(refusal(scenarioText({ listen: '0.0.0.0:18000' }))).toEqual([
      's.yaml:7:13  proxies.0.listen  listening on 0.0.0.0:18000 is not in chaos.allowTargets (127.0.0.1:*, localhost:*): it accepts connections from other machines; add it to chaos.allowTargets to allow that',
    ]);
    expect(refusal(scenarioText({ listen: '0.0.0.0:18000' }), [...limits.allowTargets, '0.0.0.0:18000'])).toEqual([]);
  });

  it('validate reports config addresses (Pushgateway, broker, ...) and scenario addresses with exit-2 problems', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-allow-'));
    await writeFile(
      path.join(dir, 'msa-verify.config.yaml'),
      'version: 1\npushgateway:\n  url: http://metrics.example:9091\nbroker:\n  url: https://pact.example\n',
    );
    await writeFile(path.join(dir, 's.yaml'), scenarioText({ toxiproxy: 'http://10.0.0.5:8474' }));
    const result = await validate({ cwd: dir, files: ['s.yaml'] });
    expect(result.ok).toBe(false);
    expect(result.files.flatMap((f) => f.problems.map(formatProblem))).toEqual([
      'msa-verify.config.yaml:3:8  pushgateway.url  metrics.example:9091 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
      'msa-verify.config.yaml:5:8  broker.url  pact.example:443 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
      's.yaml:4:8  toxiproxy.url  10.0.0.5:8474 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
    ]);
  });
});

describe('hostile YAML', () => {
  it('an alias bomb is a located problem, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
    ]) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const source = parseYamlSource('bomb.yaml', levels.join('\n'));
    expect(source.value).toBeUndefined();
    expect(source.syntaxProblems.map(formatProblem)).toEqual([
      'bomb.yaml:2:8  (document)  YAML aliases expand too much (more than 100 times, e.g. an alias bomb): Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('a file above the size limit is not parsed', () => {
    const source = parseYamlSource('big.yaml', `x: "${'y'.repeat(MAX_SOURCE_BYTES)}"`);
    expect(source.syntaxProblems.map(formatProblem)).toEqual([
      `big.yaml:1:1  (document)  file too large: ${MAX_SOURCE_BYTES + 5} bytes, more than the 1048576 bytes msa-verify reads`,
    ]);
  });

  it('the dry-run plan names at most 5 requests and keeps every line short', () => {
    const many = `[{ path: "/${'q'.repeat(400)}" }, ${Array.from({ length: 2000 }, (_, i) => `{ path: "/p${i}" }`).join(', ')}]`;
    const parsed = parseScenarioText('s.yaml', scenarioText({ requests: many }), expectationRegistry, {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const lines = describePlan(planRun({ scenario: parsed.value, file: '/x/s.yaml', display: 's.yaml' }, limits));
    const load = lines.find((l) => l.startsWith('  load:'))!;
    expect(load).toHaveLength(MAX_PLAN_LINE);
    expect(load.endsWith('q…')).toBe(true);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(MAX_PLAN_LINE);
    const short = parseScenarioText(
      's.yaml',
      scenarioText({ requests: `[${Array.from({ length: 2000 }, (_, i) => `{ path: "/p${i}" }`).join(', ')}]` }),
      expectationRegistry,
      {},
    );
    if (!short.ok) throw new Error(JSON.stringify(short.problems));
    const plan = describePlan(planRun({ scenario: short.value, file: '/x/s.yaml', display: 's.yaml' }, limits));
    expect(plan.find((l) => l.startsWith('  load:'))).toBe(
      '  load: 5 req/s for 1s against http://127.0.0.1:8081, timeout 5s: GET /p0, GET /p1, GET /p2, GET /p3, GET /p4 and 1995 more request(s)',
    );
  });
});
