import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
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

  it('check: lists as used only what the app used: a gRPC app does not use http or undici, a fetch() app uses undici', async () => {
    const grpcApp = await runCli(['--json', 'instrument', 'check', '--run', '5s', '--', process.execPath, libs], {
      env: { STAY: '1' },
    });
    const rows = (out: string) =>
      new Map(
        (
          JSON.parse(out) as { report: { instrumentations: { name: string; used: boolean; status: string }[] } }
        ).report.instrumentations.map((e) => [e.name, e] as const),
      );
    const grpcRows = rows(grpcApp.stdout);
    expect(grpcRows.get('grpc')).toMatchObject({ used: true, status: 'patched' });
    expect(grpcRows.get('http')).toMatchObject({ used: false, status: 'patched' });
    expect(grpcRows.get('undici')).toMatchObject({ used: false, status: 'patched' });
    const fetchApp = await runCli([
      '--json',
      'instrument',
      'check',
      '--',
      process.execPath,
      '-e',
      "const s = require('node:http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', async () => {" +
        ' await (await fetch(`http://127.0.0.1:${s.address().port}/`)).text(); s.close(); });',
    ]);
    expect(rows(fetchApp.stdout).get('undici')).toMatchObject({ used: true, status: 'patched' });
    expect(rows(fetchApp.stdout).get('http')).toMatchObject({ used: true, status: 'patched' });
    // A server without a request yet also uses http.
    const serverApp = await runCli([
      '--json',
      'instrument',
      'check',
      '--run',
      '1s',
      '--',
      process.execPath,
      '-e',
      'require("node:http").createServer().listen(0)',
    ]);
    expect(rows(serverApp.stdout).get('http')).toMatchObject({ used: true, status: 'patched' });
    expect(rows(serverApp.stdout).get('undici')).toMatchObject({ used: false });
  });

  it('check: a kafkajs loaded from a file path (as its own examples do) is missed: exit 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'msav-vendored-'));
    cpSync(path.join(ROOT, 'node_modules/kafkajs'), path.join(dir, 'vendor/kafkajs'), { recursive: true });
    const app = path.join(dir, 'producer.cjs');
    writeFileSync(
      app,
      "const { Kafka } = require('./vendor/kafkajs/index.js');\nnew Kafka({ brokers: ['127.0.0.1:9'] });\n",
    );
    const result = await runCli(['instrument', 'check', '--', process.execPath, app]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL kafkajs\s+missed\s+kafkajs used/);
    expect(result.stdout).toContain('not instrumented: kafkajs (kafkajs) is used but missed');
  });

  it('check: a kafkajs inside a bundle is missed: exit 1, and --json says where', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'msav-bundled-'));
    const entry = path.join(dir, 'entry.cjs');
    writeFileSync(entry, "const { Kafka } = require('kafkajs');\nnew Kafka({ brokers: ['127.0.0.1:9'] });\n");
    const bundle = path.join(dir, 'bundle.cjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      outfile: bundle,
      nodePaths: [path.join(ROOT, 'node_modules')],
      logLevel: 'silent',
    });
    const result = await runCli(['--json', 'instrument', 'check', '--', process.execPath, bundle]);
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout) as {
      ok: boolean;
      missing: { name: string; status: string; detail: string }[];
    };
    expect(out.ok).toBe(false);
    expect(out.missing).toEqual([
      expect.objectContaining({
        name: 'kafkajs',
        status: 'missed',
        detail: expect.stringContaining(`bundled in ${bundle}`),
      }),
    ]);
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['instrument'])).code).toBe(2);
    expect((await runCli(['instrument', 'verify', '--', 'node'])).code).toBe(2);
  });
});
