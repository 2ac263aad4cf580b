import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpans } from '../support/instrument-process.ts';
import { ROOT } from '../support/services.ts';

// Real @grpc/grpc-js server and client under the preload (test/fixtures/instrument/grpc-errors.cjs).
describe('gRPC server span status', () => {
  it('a handler failing with a string or an Error without code gives an ERROR span with rpc.grpc.status_code 2', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'msav-grpc-')), 'spans.jsonl');
    const run = spawnSync(
      process.execPath,
      ['--import', 'msa-verify/instrument', path.join(ROOT, 'test/fixtures/instrument/grpc-errors.cjs')],
      {
        cwd: ROOT,
        env: { ...process.env, OTEL_SERVICE_NAME: 'currency', MSA_VERIFY_TRACES_FILE: file },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    // What the client saw: no answer to the string error (deadline, 4), UNKNOWN (2), NOT_FOUND (5), OK.
    expect(run.stdout).toContain('grpc-js refused a string error');
    expect(run.stdout).toMatch(/Convert 4\nPlain 2\nCoded 5\nOk 0\n/);
    const server = (method: string) =>
      readSpans(file).find((s) => s.kind === 'SERVER' && s.name === `grpc.demo.Currency/${method}`)!;
    expect(server('Convert').status).toMatchObject({ code: 'ERROR', message: 'currency conversion failed' });
    expect(server('Convert').attributes['rpc.grpc.status_code']).toBe(2);
    expect(server('Plain').status).toMatchObject({ code: 'ERROR', message: 'plain failure' });
    expect(server('Plain').attributes['rpc.grpc.status_code']).toBe(2);
    // Unchanged: a coded error keeps its code, success stays UNSET with 0.
    expect(server('Coded').status.code).toBe('ERROR');
    expect(server('Coded').attributes['rpc.grpc.status_code']).toBe(5);
    expect(server('Ok').status.code).toBe('UNSET');
    expect(server('Ok').attributes['rpc.grpc.status_code']).toBe(0);
    // Client spans show their channel's transport for `tls: required`: insecure credentials, url.scheme http.
    const clients = readSpans(file).filter((s) => s.kind === 'CLIENT');
    expect(clients.map((s) => s.attributes['url.scheme'])).toEqual(['http', 'http', 'http', 'http']);
  });
});
