// Config services given as registry references: validated offline (exit 2 with
// file and field), resolved on use against a real etcd (contract verification of
// a provider named by such a service), and reported by doctor
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
import { runCli } from '../support/cli.js';
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

describe('contract providers named by a service found through the registry', () => {
  it('verifies the instance the entry names: passes on a good provider, fails on a broken one registered instead', async () => {
    const { startProductsFixture } = await import('../fixtures/contracts/providers.js');
    await using good = await startProductsFixture('good');
    await using broken = await startProductsFixture('renamed-field');
    const pact = path.join(work, 'shop-ui-products.json');
    await writeFile(
      pact,
      JSON.stringify({
        consumer: { name: 'shop-ui' },
        provider: { name: 'products' },
        interactions: [
          {
            description: 'get product p-1',
            request: { method: 'GET', path: '/api/products/p-1' },
            response: {
              status: 200,
              headers: { 'Content-Type': 'application/json' },
              body: { id: 'p-1', name: 'Keyboard', priceCents: 4990, currency: 'EUR' },
            },
          },
        ],
        metadata: { pactSpecification: { version: '2.0.0' } },
      }),
    );
    const key = `${prefix}services/catalogue`;
    const file = path.join(work, 'contracts.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'services:',
        `  products: { url: { discovery: { etcd: { url: "${etcdUrl}" }, key: ${key} } } }`,
        `contracts: { pactDir: "${work}", providers: { products: { service: products, pactUrls: ["${pact}"] } } }`,
        '',
      ].join('\n'),
    );
    const etcd = new EtcdClient(etcdUrl);
    await etcd.put(key, JSON.stringify({ url: good.url }));
    // The CLI (the verification runs in a child process of the built package).
    const verify = () => runCli(['contracts', 'verify', '--provider', 'products', '--config', file], { cwd: work });
    const passed = await verify();
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toContain('✓ shop-ui → products');
    await etcd.put(key, JSON.stringify({ url: broken.url }));
    const failed = await verify();
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toContain('priceCents');
  });
});
