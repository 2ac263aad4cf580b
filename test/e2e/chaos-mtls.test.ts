// Toxiproxy on an mTLS hop: the secured shop's orders → products calls go over
// TLS through Toxiproxy (TCP passthrough) and a tap; the load reaches orders over
// https with msa-verify's client certificate from the config's `tls`. The
// resilient shop passes chaos/mtls/products-slow.yaml; the naive one fails it.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, uniqueMessaging } from '../../examples/shop/launcher.ts';
import { clientTlsFiles } from '../../examples/shop/pki.ts';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

let toxiproxy: ManagedToxiproxy;
let work: string;
let config: string;

beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-mtls-'));
  config = path.join(work, 'msa-verify.config.yaml');
  const tls = clientTlsFiles();
  await writeFile(
    config,
    [
      'version: 1',
      `toxiproxy: { url: "${toxiproxy.url}" }`,
      `chaos: { journalDir: "${path.join(work, 'journal')}", maxDuration: 2m }`,
      `tls: { ca: "${tls.ca}", cert: "${tls.cert}", key: "${tls.key}" }`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await toxiproxy?.stop();
});

describe('chaos on an mTLS hop', () => {
  for (const variant of ['resilient', 'naive'] as const) {
    it(`products-slow-mtls: the ${variant} shop ${variant === 'resilient' ? 'passes' : 'fails on the timeout'}`, async () => {
      const listen = `127.0.0.1:${await freePort()}`;
      const shop = await startShop({
        rabbitmqUrl: serviceUrls().RABBITMQ_URL,
        security: 'mtls',
        env: {
          orders: { PRODUCTS_URL: `https://${listen}`, ...(variant === 'naive' ? { ORDERS_RESILIENCE: 'off' } : {}) },
        },
        messaging: uniqueMessaging(`chaos-mtls-${variant}`),
      });
      try {
        const report = path.join(work, `${variant}.json`);
        const r = await runCli(
          ['chaos', 'run', 'chaos/mtls/products-slow.yaml', '--config', config, '--json', report],
          {
            env: {
              TOXIPROXY_URL: toxiproxy.url,
              PRODUCTS_PROXY_LISTEN: listen,
              SHOP_ORDERS_URL: shop.urls.orders,
              SHOP_PRODUCTS_URL: shop.urls.products,
            },
            timeoutMs: 120_000,
          },
        );
        expect(existsSync(report), r.stderr).toBe(true);
        const result = (JSON.parse(await readFile(report, 'utf8')) as { results: ChaosRunResult[] }).results[0]!;
        expect(result.rolledBack).toBe(true);
        const verdicts = result.phases.flatMap((p) => p.verdicts);
        const failures = verdicts.filter((v) => !v.passed).map((v) => `${v.phase}/${v.type}: ${v.message}`);
        // The steady phase proves the load got through TLS with the client certificate.
        expect(verdicts.find((v) => v.phase === 'steady' && v.type === 'error-rate')?.passed, failures.join('\n')).toBe(
          true,
        );
        expect(shop.urls.orders).toMatch(/^https:/);
        if (variant === 'resilient') {
          expect(failures, r.stderr).toEqual([]);
          expect(r.code).toBe(0);
        } else {
          expect(r.code).toBe(1);
          const timeout = verdicts.find((v) => v.phase === 'products-slow' && v.type === 'timeout');
          expect(timeout?.passed).toBe(false);
          expect(timeout?.message).toMatch(/above the timeout budget of 3s/);
        }
      } finally {
        await shop.stop();
      }
    });
  }
});
