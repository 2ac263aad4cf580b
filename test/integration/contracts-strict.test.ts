import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpContract, Matchers, runVerification, verifyProvider } from '../../src/contracts/index.js';
import { ConfigSchema } from '../../src/core/config/schema.js';
import { isMsaVerifyError, type MsaVerifyError } from '../../src/core/errors.js';
import { freePort } from '../support/net.js';
import { ROOT } from '../support/services.js';

// Nothing passes silently, and what pact-js users reach for: each set-up that
// used to pass without a word fails with its message; hooks, request filter,
// pact URLs, TLS, per-provider timeout and TCP readiness on real servers.

let pactDir: string;
let pactFile: string;
let work: string;
const servers: http.Server[] = [];

/** A real provider on 127.0.0.1: GET /api/products/p-2, optionally requiring a header or answering slowly. */
async function provider(
  options: { requireHeader?: [string, string]; delayMs?: number; tls?: { key: string; cert: string } } = {},
): Promise<string> {
  const handler: http.RequestListener = (req, res) => {
    const answer = () => {
      const [name, value] = options.requireHeader ?? [];
      if (name && req.headers[name] !== value) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":"unauthorized"}');
        return;
      }
      res.writeHead(req.url === '/api/products/p-2' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'p-2', priceCents: 1990 }));
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function rejection(p: Promise<unknown>): Promise<MsaVerifyError> {
  const e = await p.catch((error: unknown) => error);
  if (!isMsaVerifyError(e)) throw new Error(`expected an MsaVerifyError, got ${String(e)}`);
  return e;
}

beforeAll(async () => {
  pactDir = await mkdtemp(path.join(os.tmpdir(), 'msav-strict-pacts-'));
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-strict-work-'));
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
  pactFile = path.join(pactDir, 'ui-products.json');
});

afterAll(() => {
  for (const s of servers) s.close();
});

function config(spec: Record<string, unknown>, contracts: Record<string, unknown> = {}) {
  return ConfigSchema.parse({ version: 1, contracts: { pactDir, ...contracts, providers: { products: spec } } });
}

/** A provider module in the work folder. */
async function moduleFile(name: string, text: string): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, text);
  return file;
}

describe('set-ups that would pass silently are refused', () => {
  it('refuses state handlers in a module with a command-started provider, naming both working set-ups', async () => {
    const module = await moduleFile(
      'handlers.mjs',
      "export const stateHandlers = { 'product exists': async () => {} };",
    );
    const e = await rejection(
      runVerification({ baseDir: work, config: config({ url: 'http://127.0.0.1:9', command: 'exit 1', module }) }),
    );
    expect(e.code).toBe('MSAV_CONFIG_INVALID');
    expect(e.message).toContain(
      `contracts.providers.products.command: the state handlers of ${module} run in msa-verify's process and cannot change the memory of the provider started by command. Either start the provider in the module's setup() (then the handlers share its memory), or let the provider serve its own states and set stateChangeUrl; set stateHandlersReachCommand: true if the handlers change a store the provider reads (a database, files)`,
    );
  });

  it('runs the command when stateHandlersReachCommand says the handlers reach it', async () => {
    const module = await moduleFile(
      'handlers2.mjs',
      "export const stateHandlers = { 'product exists': async () => {} };",
    );
    const e = await rejection(
      runVerification({
        baseDir: work,
        config: config({
          url: 'http://127.0.0.1:9',
          command: 'exit 7',
          module,
          stateHandlersReachCommand: true,
        }),
      }),
    );
    // Past the refusal: the command itself ran (and exited).
    expect(e.code).toBe('MSAV_TARGET_UNREACHABLE');
    expect(e.message).toContain('provider command exited with code 7');
  });

  it('refuses stateChangeUrl together with state handlers (one of them would be ignored)', async () => {
    const module = await moduleFile(
      'handlers3.mjs',
      "export const stateHandlers = { 'product exists': async () => {} };",
    );
    const e = await rejection(
      runVerification({
        baseDir: work,
        config: config({ url: 'http://127.0.0.1:9', stateChangeUrl: 'http://127.0.0.1:9/states', module }),
      }),
    );
    expect(e.message).toContain(
      `contracts.providers.products.stateChangeUrl: both stateChangeUrl and the stateHandlers of ${module} are set; state changes go to one place: keep one`,
    );
  });
});

describe('provider states and hooks', () => {
  it('fails the interaction whose state has no handler, naming state and interaction; statesWithoutSetup passes it', async () => {
    const url = await provider();
    const failed = await verifyProvider({ provider: 'products', url, pactFiles: [pactFile] });
    expect(failed[0]?.passed).toBe(false);
    expect(failed[0]?.interactions).toEqual([
      {
        description: 'get product p-2',
        providerStates: ['product exists'],
        passed: false,
        mismatches: [
          {
            path: 'providerState',
            message:
              'no handler for provider state "product exists": add it to the stateHandlers of the provider module, or list it in contracts.providers.products.statesWithoutSetup if it needs no set-up',
          },
        ],
      },
    ]);
    const passed = await verifyProvider({
      provider: 'products',
      url,
      pactFiles: [pactFile],
      statesWithoutSetup: ['product exists'],
    });
    expect(passed[0]?.passed).toBe(true);
  });

  it('fails the interaction whose state handler throws', async () => {
    const url = await provider();
    const [pair] = await verifyProvider({
      provider: 'products',
      url,
      pactFiles: [pactFile],
      stateHandlers: {
        'product exists': async () => {
          throw new Error('seed data missing');
        },
      },
    });
    expect(pair?.interactions[0]?.mismatches).toContainEqual({
      path: 'providerState',
      message: 'state handler for "product exists" failed on setup: seed data missing',
    });
  });

  it('runs beforeEach/afterEach around each interaction, also with a state-change URL; a failing hook fails it', async () => {
    const url = await provider();
    const order: string[] = [];
    const stateServer = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      const change = JSON.parse(body) as { state: string; action: string };
      order.push(`${change.action} ${change.state}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    servers.push(stateServer);
    await new Promise<void>((r) => stateServer.listen(0, '127.0.0.1', r));
    const [pair] = await verifyProvider({
      provider: 'products',
      url,
      pactFiles: [pactFile],
      stateChangeUrl: `http://127.0.0.1:${(stateServer.address() as AddressInfo).port}/states`,
      beforeEach: () => {
        order.push('beforeEach');
      },
      afterEach: () => {
        order.push('afterEach');
        throw new Error('could not reset');
      },
    });
    expect(order).toEqual(['beforeEach', 'setup product exists', 'teardown product exists', 'afterEach']);
    expect(pair?.passed).toBe(false);
    expect(pair?.interactions[0]?.mismatches).toEqual([
      { path: 'providerState', message: 'afterEach failed: could not reset' },
    ]);
  });
});

describe('requests to the provider', () => {
  it('adds the configured headers and runs the module request filter (pact-js requestFilter)', async () => {
    const url = await provider({ requireHeader: ['x-signature', 'signed:static-tenant'] });
    const module = await moduleFile(
      'filter.mjs',
      [
        'export const requestFilter = (req, _res, next) => {',
        "  req.headers['x-signature'] = `signed:${req.headers['x-tenant']}`;",
        '  next();',
        '};',
      ].join('\n'),
    );
    const result = await runVerification({
      baseDir: work,
      config: config({
        url,
        module,
        statesWithoutSetup: ['product exists'],
        requestHeaders: { 'x-tenant': 'static-tenant' },
      }),
    });
    expect(result.passed).toBe(true);
    const without = await runVerification({
      baseDir: work,
      config: config({ url, statesWithoutSetup: ['product exists'] }),
    });
    expect(without.pairs[0]?.interactions[0]?.mismatches).toContainEqual(
      expect.objectContaining({ path: 'status', actual: '401' }),
    );
  });

  it('times out per provider (requestTimeout) instead of waiting for the global one', async () => {
    const url = await provider({ delayMs: 1500 });
    const slow = await runVerification({
      baseDir: work,
      config: config(
        { url, statesWithoutSetup: ['product exists'], requestTimeout: '300ms' },
        { requestTimeout: '10s' },
      ),
    });
    expect(slow.passed).toBe(false);
    // Pact's core words a timed-out request this way; the provider answers after 1.5 s.
    expect(slow.pairs[0]?.interactions[0]?.mismatches).toEqual([
      { path: '', message: `error sending request for url (${url}/api/products/p-2)` },
    ]);
    const patient = await runVerification({
      baseDir: work,
      config: config({ url, statesWithoutSetup: ['product exists'] }, { requestTimeout: '10s' }),
    });
    expect(patient.passed).toBe(true);
  });

  it('verifies a provider with a self-signed certificate only with disableSslVerification', async () => {
    const key = path.join(work, 'key.pem');
    const cert = path.join(work, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const url = await provider({ tls: { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') } });
    const strict = await runVerification({
      baseDir: work,
      config: config({ url, statesWithoutSetup: ['product exists'] }),
    }).catch((e: unknown) => e);
    // The reachability probe already refuses the certificate: exit 3, naming the provider.
    expect(isMsaVerifyError(strict) && strict.code).toBe('MSAV_TARGET_UNREACHABLE');
    const insecure = await runVerification({
      baseDir: work,
      config: config({ url, statesWithoutSetup: ['product exists'], disableSslVerification: true }),
    });
    expect(insecure.passed).toBe(true);
  });
});

describe('pact sources', () => {
  it('verifies pactUrls: a file relative to the config and a URL', async () => {
    const url = await provider();
    const pactServer = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(await readFile(pactFile, 'utf8'));
    });
    servers.push(pactServer);
    await new Promise<void>((r) => pactServer.listen(0, '127.0.0.1', r));
    const pactUrl = `http://127.0.0.1:${(pactServer.address() as AddressInfo).port}/pacts/ui-products`;
    const result = await runVerification({
      baseDir: pactDir,
      config: config(
        { url, statesWithoutSetup: ['product exists'], pactUrls: ['ui-products.json', pactUrl] },
        {
          pactDir: 'no-such-folder',
        },
      ),
    });
    expect(result.passed).toBe(true);
    expect(result.pairs[0]?.interactions).toHaveLength(2);
  });

  it('names a pactUrls entry that is a pact for another provider', async () => {
    const other = path.join(work, 'ui-billing.json');
    const pact = JSON.parse(await readFile(pactFile, 'utf8'));
    pact.provider.name = 'billing';
    await writeFile(other, JSON.stringify(pact, null, 2));
    const e = await rejection(
      runVerification({ baseDir: work, config: config({ url: 'http://127.0.0.1:9', pactUrls: ['ui-billing.json'] }) }),
    );
    expect(e.code).toBe('MSAV_PACT_INVALID');
    expect(e.message).toMatch(
      /ui-billing\.json:\d+:\d+: a pact for provider "billing", listed in contracts\.providers\.products\.pactUrls$/,
    );
  });

  it('reports an unreachable pact URL as exit 3', async () => {
    const port = await freePort();
    const e = await rejection(
      runVerification({
        baseDir: work,
        config: config({ url: 'http://127.0.0.1:9', pactUrls: [`http://127.0.0.1:${port}/pact.json`] }),
      }),
    );
    expect(e.code).toBe('MSAV_TARGET_UNREACHABLE');
    expect(e.message).toContain(`pact URL http://127.0.0.1:${port}/pact.json is unreachable`);
  });
});

describe('command providers', () => {
  it('waits for the port to accept connections when no healthPath is set (the provider has no health route)', async () => {
    const port = await freePort();
    const result = await runVerification({
      baseDir: ROOT,
      config: config({
        url: `http://127.0.0.1:${port}`,
        command: `"${process.execPath}" test/fixtures/contracts/no-health-main.ts`,
        env: { PORT: String(port) },
        statesWithoutSetup: ['product exists'],
      }),
    });
    expect(result.passed).toBe(true);
  });

  it('still polls healthPath when it is set (never ready here: /health answers 404)', async () => {
    const port = await freePort();
    const e = await rejection(
      runVerification({
        baseDir: ROOT,
        config: config({
          url: `http://127.0.0.1:${port}`,
          command: `"${process.execPath}" test/fixtures/contracts/no-health-main.ts`,
          env: { PORT: String(port) },
          healthPath: '/health',
          startTimeout: '1s',
        }),
      }),
    );
    expect(e.message).toBe(`provider command did not become ready at http://127.0.0.1:${port}/health within 1000ms`);
  });
});
