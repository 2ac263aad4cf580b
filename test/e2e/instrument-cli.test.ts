import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { readSpans } from '../support/instrument-process.ts';
import { ROOT } from '../support/services.ts';

const libs = path.join(ROOT, 'test/fixtures/instrument/libs.cjs');

describe('msa-verify instrument', () => {
  it('runs a command with the preload and passes its exit code through (gRPC spans in one trace)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-cli-')), 'spans.jsonl');
    const result = await runCli(['instrument', '--', process.execPath, libs], {
      env: { MSA_VERIFY_TRACES_FILE: file, OTEL_SERVICE_NAME: 'libs' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('grpc x');
    const spans = readSpans(file);
    const server = spans.find((s) => s.kind === 'SERVER' && s.name.includes('Greeter/Hello'));
    const client = spans.find((s) => s.kind === 'CLIENT' && s.name.includes('Greeter/Hello'));
    expect(server, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(client).toBeDefined();
    expect(server!.traceId).toBe(client!.traceId);
    expect(server!.parentSpanId).toBe(client!.spanId);
    expect(server!.attributes['correlation.id']).toBe(client!.attributes['correlation.id']);
  });

  it('passes a failing exit code through', async () => {
    const result = await runCli(['instrument', '--', process.execPath, '-e', 'process.exit(5)']);
    expect(result.code).toBe(5);
  });

  it('check: exit 0 when every used library was patched', async () => {
    const result = await runCli(['instrument', 'check', '--run', '5s', '--', process.execPath, libs], {
      env: { STAY: '1' },
    });
    expect(result.stdout).toMatch(/ok\s+grpc\s+patched/);
    expect(result.stdout).toMatch(/ok\s+kafkajs\s+patched/);
    expect(result.stdout).toMatch(/ok\s+winston\s+patched/);
    expect(result.code).toBe(0);
  });

  it('check: exit 1 naming the library when a used library is not instrumented', async () => {
    const result = await runCli(['instrument', 'check', '--run', '5s', '--', process.execPath, libs], {
      env: { STAY: '1', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'grpc' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('not instrumented: grpc (@grpc/grpc-js) is used but disabled');
  });

  it('check: catches the silent ESM failure (loader hook off) and passes with the hook', async () => {
    const probe = path.join(ROOT, 'test/fixtures/instrument/esm-probe.mjs');
    const broken = await runCli(['instrument', 'check', '--', process.execPath, probe], {
      env: { MSA_VERIFY_ESM_HOOKS: 'off' },
    });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('not instrumented: express (express) is used but not-patched');
    expect(broken.stdout).toContain('not instrumented: pino (pino) is used but not-patched');
    const fixed = await runCli(['instrument', 'check', '--', process.execPath, probe]);
    expect(fixed.stdout).toContain('ESM loader hook: registerHooks');
    expect(fixed.code).toBe(0);
  });

  it('check: --json gives the report; OTEL_SDK_DISABLED fails the check', async () => {
    const result = await runCli(['--json', 'instrument', 'check', '--run', '3s', '--', process.execPath, libs], {
      env: { STAY: '1', OTEL_SDK_DISABLED: 'true' },
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; report: { sdkDisabled: boolean } };
    expect(report).toMatchObject({ ok: false, report: { sdkDisabled: true } });
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['instrument'])).code).toBe(2);
    expect((await runCli(['instrument', 'verify', '--', 'node'])).code).toBe(2);
  });
});
