// Config services given as registry references: validated offline (exit 2 with
// file and field), resolved on use against a real etcd, and reported by doctor
// (a missing entry makes doctor fail, naming the key).
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../../src/app/doctor.js';
import { validate } from '../../src/app/validate.js';
import { loadConfig } from '../../src/core/config/load.js';
import { EtcdClient } from '../../src/core/discovery/etcd-client.js';
import { serviceUrl } from '../../src/core/discovery/service-url.js';
import { deletePrefix, etcdUrl as etcdUrlOf } from '../support/etcd.js';

let etcdUrl: string;
let work: string;
const prefix = `/msav-config-${process.pid}-${Date.now().toString(36)}/`;

beforeAll(async () => {
  etcdUrl = etcdUrlOf();
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-discovery-config-'));
  await new EtcdClient(etcdUrl).put(`${prefix}services/products`, '{"url":"http://127.0.0.1:8082","pid":1}');
});

afterAll(async () => {
  if (etcdUrl) await deletePrefix(etcdUrl, prefix);
});

async function configFile(name: string, services: string): Promise<string> {
  const file = path.join(work, `${name}.yaml`);
  await writeFile(file, `version: 1\nservices:\n${services}`);
  return file;
}

describe('config services found through the registry', () => {
  it('resolves a service to the instance its entry names, and doctor reports it', async () => {
    const file = await configFile(
      'ok',
      `  products:\n    url: { discovery: { etcd: { url: "${etcdUrl}" }, key: ${prefix}services/products } }\n`,
    );
    const { config } = await loadConfig({ file, cwd: work });
    expect(await serviceUrl(config, 'products')).toBe('http://127.0.0.1:8082');
    const report = await doctor({ config: file, cwd: work });
    const line = report.components.find((c) => c.name === 'service products (registry)');
    expect(line).toMatchObject({ needed: true, ok: true });
    expect(line?.detail).toBe(`etcd ${etcdUrl} key ${prefix}services/products -> http://127.0.0.1:8082`);
  });

  it('doctor fails when the entry is missing, naming the key', async () => {
    const file = await configFile(
      'missing',
      `  orders:\n    url: { discovery: { etcd: { url: "${etcdUrl}" }, key: ${prefix}services/orders } }\n`,
    );
    const report = await doctor({ config: file, cwd: work });
    expect(report.ok).toBe(false);
    const line = report.components.find((c) => c.name === 'service orders (registry)');
    expect(line?.ok).toBe(false);
    expect(line?.detail).toMatch(`no registry entry at etcd ${etcdUrl} key ${prefix}services/orders`);
  });

  it('validate reports a malformed reference at its field', async () => {
    const file = await configFile(
      'bad',
      '  products:\n    url: { discovery: { etcd: { url: "ftp://x" }, key: /a } }\n',
    );
    const r = await validate({ files: [], config: file, cwd: work });
    expect(r.ok).toBe(false);
    const problems = r.files.flatMap((f) => f.problems);
    expect(problems[0]).toMatchObject({ path: 'services.products.url.discovery.etcd.url', line: 4 });
  });
});
