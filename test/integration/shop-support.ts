// Helpers for the shop's integration tests (test/integration/shop*.test.ts).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake products server does with a request. */
export type FakeProductsMode = 'hang' | 'error' | 'ok';

/** A stand-in for products on 127.0.0.1: hangs, answers 500, or answers like products. */
export interface FakeProducts {
  url: string;
  mode: FakeProductsMode;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const PRICES: Record<string, number> = { 'p-1': 4990, 'p-2': 2490 };

/** Starts a fake products server in `mode` (switchable later through `.mode`). */
export async function startFakeProducts(mode: FakeProductsMode): Promise<FakeProducts> {
  let requests = 0;
  const state = { mode };
  const server = http.createServer((req, res) => {
    requests += 1;
    if (state.mode === 'hang') return; // accept, read, never answer
    if (state.mode === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    const ids = (new URL(req.url ?? '/', 'http://x').searchParams.get('ids') ?? '').split(',');
    const items = ids
      .filter((id) => PRICES[id] !== undefined)
      .map((id) => ({ id, name: id, priceCents: PRICES[id], currency: 'EUR' }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: FakeProductsMode) {
      state.mode = m;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON answer and how long it took, ms. */
export interface TimedAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  ms: number;
}

/** Sends a request (JSON body when `body` is given) and measures the time to the full answer. */
export async function timedJson(
  url: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<TimedAnswer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.rawBody !== undefined ? { body: init.rawBody } : {}),
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body, headers: response.headers, ms };
}

/** A valid order body. */
export function anOrder(productId = 'p-1', quantity = 2): { customerId: string; items: unknown[] } {
  return { customerId: `c-${randomUUID().slice(0, 6)}`, items: [{ productId, quantity }] };
}

/** Creates a Toxiproxy proxy with a unique name; returns its listen address and helpers. */
export async function createProxy(
  toxiproxyUrl: string,
  prefix: string,
  upstream: string,
): Promise<{
  name: string;
  listen: string;
  setEnabled(enabled: boolean): Promise<void>;
  remove(): Promise<void>;
}> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const created = await fetch(`${toxiproxyUrl}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream, enabled: true }),
  });
  if (created.status !== 201) throw new Error(`creating proxy ${name}: ${created.status} ${await created.text()}`);
  const { listen } = (await created.json()) as { listen: string };
  return {
    name,
    listen,
    async setEnabled(enabled) {
      const r = await fetch(`${toxiproxyUrl}/proxies/${name}`, { method: 'POST', body: JSON.stringify({ enabled }) });
      if (r.status !== 200) throw new Error(`toggling proxy ${name}: ${r.status} ${await r.text()}`);
    },
    async remove() {
      await fetch(`${toxiproxyUrl}/proxies/${name}`, { method: 'DELETE' });
    },
  };
}
