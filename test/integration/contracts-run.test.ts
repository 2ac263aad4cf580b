import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpContract, Matchers, runVerification } from '../../src/contracts/index.js';
import { ConfigSchema } from '../../src/core/config/schema.js';
import { isMsaVerifyError } from '../../src/core/errors.js';
import { freePort } from '../support/net.js';
import { ROOT } from '../support/services.js';

// Config-driven verification: a provider started from a command, and provider
// states delivered to a state-change URL.

let pactDir: string;

beforeAll(async () => {
  pactDir = await mkdtemp(path.join(os.tmpdir(), 'msav-run-pacts-'));
  const contract = httpContract({ consumer: 'ui', provider: 'products', pactDir });
  await contract.interaction(
    {
      description: 'get product p-2',
      states: [{ name: 'product exists', params: { id: 'p-2' } }],
      request: { method: 'GET', path: '/api/products/p-2' },
      response: { status: 200, body: { id: 'p-2', priceCents: Matchers.integer(1990) } },
    },
    async ({ url }) => {
      await fetch(`${url}/api/products/p-2`);
    },
  );
  contract.write();
});

function config(provider: Record<string, unknown>) {
  return ConfigSchema.parse({ version: 1, contracts: { pactDir, providers: { products: provider } } });
}

describe('runVerification', () => {
  it('starts the provider from a command, posts states to the state-change URL, and stops it', async () => {
    const states: unknown[] = [];
    const stateServer = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      states.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => stateServer.listen(0, '127.0.0.1', r));
    const port = await freePort();
    try {
      const result = await runVerification({
        baseDir: ROOT,
        config: config({
          url: `http://127.0.0.1:${port}`,
          command: `"${process.execPath}" test/fixtures/contracts/products-main.ts`,
          env: { PORT: String(port) },
          stateChangeUrl: `http://127.0.0.1:${(stateServer.address() as AddressInfo).port}/states`,
        }),
      });
      expect(result.passed).toBe(true);
      expect(result.pairs).toMatchObject([{ consumer: 'ui', provider: 'products', kind: 'http', passed: true }]);
      expect(states).toContainEqual(expect.objectContaining({ state: 'product exists', params: { id: 'p-2' } }));
    } finally {
      stateServer.close();
    }
    // stopped after the run: the port refuses connections again
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('reports a provider command that never becomes healthy as unreachable (exit 3)', async () => {
    const port = await freePort();
    const error = await runVerification({
      baseDir: ROOT,
      config: config({ url: `http://127.0.0.1:${port}`, command: 'exit 7', startTimeout: '2s' }),
    }).catch((e: unknown) => e);
    expect(isMsaVerifyError(error) && error.code).toBe('MSAV_TARGET_UNREACHABLE');
    expect(String((error as Error).message)).toContain('exited with code 7');
  });
});
