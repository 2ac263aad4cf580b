// Trace checks whose entry service is found through the registry:
// `send.http.service` names the etcd entry (real etcd), `url` is the path sent
// there. The instrumented fixture service exports to the check's OTLP receiver.
// Negative: a path without a service is invalid input naming the field, and a
// missing entry is exit 3 naming the key.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceRun } from '../../src/app/trace.js';
import { EtcdClient } from '../../src/core/discovery/etcd-client.js';
import { runCli } from '../support/cli.js';
import { deletePrefix, etcdUrl as etcdUrlOf } from '../support/etcd.js';
import { type FixtureProcess, startFixture } from '../support/instrument-process.js';
import { freePort } from '../support/net.js';
import { ROOT } from '../support/services.js';

let work: string;
let port: number;
let service: FixtureProcess;
let etcdUrl: string;
const prefix = `/msav-trace-${process.pid}-${Date.now().toString(36)}/`;

beforeAll(async () => {
  etcdUrl = etcdUrlOf();
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-trace-discovery-'));
  port = await freePort();
  await writeFile(path.join(work, 'none.yaml'), 'version: 1\n');
  service = await startFixture('mjs', {
    ROLE: 'echo',
    OTEL_SERVICE_NAME: 'echo',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
  });
  await new EtcdClient(etcdUrl).put(`${prefix}services/echo`, JSON.stringify({ url: service.url }));
});

afterAll(async () => {
  await service?.stop();
  if (etcdUrl) await deletePrefix(etcdUrl, prefix);
});

async function check(name: string, send: string): Promise<string> {
  const file = path.join(work, `${name}.yaml`);
  await writeFile(
    file,
    [
      'version: 1',
      `name: ${name}`,
      `send: ${send}`,
      `source: { otlp: { port: ${port} } }`,
      'wait: 5s',
      'expect: { root: echo }',
      '',
    ].join('\n'),
  );
  return file;
}

const ref = (key: string) => `{ discovery: { etcd: { url: "${etcdUrl}" }, key: ${prefix}services/${key} } }`;

describe('trace checks with the entry service found through the registry', () => {
  it('sends the path to the registered instance and follows the request there', async () => {
    const file = await check('echo-registry', `{ http: { url: /echo, service: ${ref('echo')}, expectStatus: 200 } }`);
    const outcome = await traceRun({ files: [file], cwd: ROOT, config: path.join(work, 'none.yaml') });
    const r = outcome.results[0]!;
    expect(r.passed, JSON.stringify(r.verdicts)).toBe(true);
    expect(r.verdicts.find((v) => v.rule === 'request')?.name).toBe('GET /echo');
    expect(r.spans[0]).toMatchObject({ service: 'echo', kind: 'server', correlationId: r.correlationId });
  });

  it('a path without a service is invalid input (exit 2) at send.http.url', async () => {
    const file = await check('path-only', '{ http: { url: /echo } }');
    const r = await runCli(['validate', file, '--config', path.join(work, 'none.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/path-only\.yaml:3:\d+\s+send\.http\.url\s+a path needs service/);
  });

  it('a missing registry entry is exit 3, naming the key', async () => {
    const file = await check('no-entry', `{ http: { url: /echo, service: ${ref('nobody')} } }`);
    const r = await runCli(['trace', file, '--config', path.join(work, 'none.yaml')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`send.http.service: no registry entry at etcd ${etcdUrl} key ${prefix}services/nobody`);
  });
});
