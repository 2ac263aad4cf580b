import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolateEnv, isMsaVerifyError, loadConfig, type MsaVerifyError } from '../../src/core/index.js';

async function load(text: string, env: NodeJS.ProcessEnv = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-config-'));
  await writeFile(path.join(dir, 'msa-verify.config.yaml'), text);
  return loadConfig({ cwd: dir, env });
}

async function problems(text: string) {
  try {
    await load(text);
  } catch (error) {
    expect(isMsaVerifyError(error)).toBe(true);
    expect((error as MsaVerifyError).code).toBe('MSAV_CONFIG_INVALID');
    return (error as MsaVerifyError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('config schema', () => {
  it('accepts a minimal file and fills defaults', async () => {
    const { config } = await load('version: 1\n');
    expect(config.services).toEqual({});
    expect(config.reportsDir).toBe('reports');
  });

  it('accepts the full shape', async () => {
    const { config } = await load(
      [
        'version: 1',
        'system: shop',
        'services:',
        '  orders: { url: "http://127.0.0.1:8081" }',
        'rabbitmq: { url: "amqp://guest:guest@127.0.0.1:5672" }',
        'toxiproxy: { url: "http://127.0.0.1:8474" }',
        'pushgateway: { url: "http://127.0.0.1:9091" }',
        'broker: { url: "https://broker.example", tokenEnv: MY_TOKEN }',
        'contracts: { pactDir: pacts }',
        'chaos: { maxDuration: 2m }',
      ].join('\n'),
    );
    expect(config.services.orders?.health).toBe('/health');
    expect(config.pushgateway?.job).toBe('msa-verify');
    expect(config.broker?.tokenEnv).toBe('MY_TOKEN');
    expect(config.chaos?.allowTargets).toContain('127.0.0.1:*');
  });

  it('requires version 1', async () => {
    const [p] = await problems('version: 2\n');
    expect(p).toMatchObject({ path: 'version', line: 1 });
  });

  it('reports a wrong type with its line and path', async () => {
    const ps = await problems('version: 1\nservices:\n  orders:\n    url: 8081\n');
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ path: 'services.orders.url', line: 4, column: 10 });
  });

  it('rejects unknown keys at every level', async () => {
    const ps = await problems('version: 1\nretries: 3\nservices:\n  orders:\n    url: http://a:1\n    timeout: 5s\n');
    expect(ps.map((p) => [p.path, p.line, p.message])).toEqual([
      ['retries', 2, 'unknown key "retries"'],
      ['services.orders.timeout', 6, 'unknown key "timeout"'],
    ]);
  });

  it('rejects bad names, URLs and durations', async () => {
    const ps = await problems(
      'version: 1\nservices:\n  Orders_X:\n    url: ftp://x\nchaos:\n  maxDuration: ten minutes\n',
    );
    const paths = ps.map((p) => p.path);
    expect(paths).toContain('services.Orders_X');
    expect(paths).toContain('chaos.maxDuration');
    expect(ps.find((p) => p.path === 'chaos.maxDuration')?.message).toContain('duration');
  });

  it('reports YAML syntax errors with a line', async () => {
    const ps = await problems('version: 1\nservices:\n  a: [\n');
    expect(ps[0]?.message).toMatch(/^YAML syntax error/);
    expect(ps[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('interpolates environment variables with defaults', async () => {
    const { config } = await load('version: 1\nservices:\n  a:\n    url: ${A_URL:-http://127.0.0.1:1}\n', {});
    expect(config.services.a?.url).toBe('http://127.0.0.1:1');
    const again = await load('version: 1\nservices:\n  a:\n    url: ${A_URL:-http://127.0.0.1:1}\n', {
      A_URL: 'http://10.0.0.1:9',
    });
    expect(again.config.services.a?.url).toBe('http://10.0.0.1:9');
    expect(interpolateEnv({ x: ['${N}'] }, {})).toEqual({ x: [''] });
  });

  it('names a missing file', async () => {
    const err = await loadConfig({ cwd: os.tmpdir(), file: 'nope.yaml' }).catch((e: unknown) => e);
    expect((err as MsaVerifyError).code).toBe('MSAV_CONFIG_NOT_FOUND');
    expect((err as Error).message).toContain('nope.yaml');
  });
});
