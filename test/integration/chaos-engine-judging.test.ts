// End to end through the real pieces: load generator -> caller service -> tap ->
// shared Toxiproxy (a uniquely named proxy) -> dependency. Three callers, shaped
// like the example shop's variants, under real toxics; the expectations must pass
// the resilient one and fail the naive one and the retry storm on the right
// expectation. No traces here: calls are counted by the tap.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreakerExpectation } from '../../src/chaos/expectations/circuit-breaker.js';
import { retryExpectation } from '../../src/chaos/expectations/retry.js';
import { timeoutExpectation } from '../../src/chaos/expectations/timeout.js';
import type { ExpectationDefinition, PhaseEvidence } from '../../src/chaos/expectations/types.js';
import { runLoad } from '../../src/chaos/load/run-load.js';
import { startTap } from '../../src/chaos/tap/start-tap.js';
import { type Tap, tapCalls } from '../../src/chaos/tap/types.js';
import { serviceUrls } from '../support/services.js';

type Variant = 'resilient' | 'naive' | 'storm';
const TOXIPROXY = serviceUrls().TOXIPROXY_URL;
const PROXY = `msav-engine-judging-${randomUUID().slice(0, 8)}`;

let dependency: http.Server;
let tap: Tap;
let proxyListen = '';

async function toxiproxy(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${TOXIPROXY}${path}`, {
    method,
    signal: AbortSignal.timeout(5000),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

/** A caller of the dependency at `depUrl`, with the variant's resilience. */
function startCaller(variant: Variant, depUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  let failures = 0;
  let openUntil = 0;
  const attempt = async (timeoutMs: number | undefined): Promise<boolean> => {
    try {
      const res = await fetch(
        `${depUrl}/api/products?ids=p-1`,
        timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {},
      );
      await res.text();
      return res.ok;
    } catch {
      return false;
    }
  };
  const call = async (): Promise<'ok' | 'failed' | 'circuit_open'> => {
    if (variant === 'naive') return (await attempt(undefined)) ? 'ok' : 'failed';
    if (variant === 'storm') {
      for (let i = 0; i < 20; i++) if (await attempt(200)) return 'ok';
      return 'failed';
    }
    if (Date.now() < openUntil) return 'circuit_open';
    const halfOpen = openUntil !== 0;
    for (let i = 0; i < (halfOpen ? 1 : 3); i++) {
      if (i > 0) await sleep(50 * 2 ** (i - 1));
      if (await attempt(200)) {
        failures = 0;
        openUntil = 0;
        return 'ok';
      }
      failures++;
      if (failures >= 5 || halfOpen) {
        openUntil = Date.now() + 1500;
        return 'circuit_open';
      }
    }
    return 'failed';
  };
  const server = http.createServer((_req, res) => {
    void call().then((outcome) => {
      res.writeHead(outcome === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(outcome === 'ok' ? '{"ok":true}' : JSON.stringify({ error: 'dependency_unavailable', reason: outcome }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** Runs 4 s of load at 20 req/s through `variant` under `toxic`, and gathers the phase evidence. */
async function faultPhase(
  variant: Variant,
  toxic: { type: string; attributes: Record<string, number> },
): Promise<PhaseEvidence> {
  const toxicName = `${PROXY}-${toxic.type}`;
  await toxiproxy('POST', `/proxies/${PROXY}/toxics`, { name: toxicName, stream: 'downstream', toxicity: 1, ...toxic });
  const caller = await startCaller(variant, `http://${tap.listen}`);
  const startedAt = Date.now();
  try {
    const samples = await runLoad({
      target: caller.url,
      requests: [{ method: 'POST', path: '/api/orders', body: { items: [] } }],
      ratePerSec: 20,
      durationMs: 4000,
      timeoutMs: 5000,
    });
    const endedAt = Date.now();
    const inPhase = (t: number) => t >= startedAt && t <= endedAt;
    return {
      phase: { name: `fault-${variant}`, kind: 'fault', startedAt, endedAt },
      samples,
      spans: [],
      connections: { products: tap.connections().filter(inPhase) },
      calls: { products: tapCalls(tap).filter(inPhase) },
      faultStartedAt: startedAt,
    };
  } finally {
    await caller.close();
    await toxiproxy('DELETE', `/proxies/${PROXY}/toxics/${toxicName}`);
  }
}

function judge<P>(def: ExpectationDefinition<P>, params: unknown, ev: PhaseEvidence) {
  return def.judge(def.params.parse(params), ev);
}

beforeAll(async () => {
  dependency = http.createServer((_req, res) => res.end('{"items":[]}'));
  await new Promise<void>((r) => dependency.listen(0, '127.0.0.1', r));
  const created = (await toxiproxy('POST', '/proxies', {
    name: PROXY,
    listen: '127.0.0.1:0',
    upstream: `127.0.0.1:${(dependency.address() as AddressInfo).port}`,
    enabled: true,
  })) as { listen: string };
  proxyListen = created.listen;
  tap = await startTap(proxyListen);
});

afterAll(async () => {
  await tap?.close();
  await toxiproxy('DELETE', `/proxies/${PROXY}`).catch(() => undefined);
  dependency?.closeAllConnections();
  await new Promise((r) => dependency?.close(r));
});

describe('judging real callers through a tap and Toxiproxy', () => {
  const slow = { type: 'latency', attributes: { latency: 1000, jitter: 0 } };
  const reset = { type: 'reset_peer', attributes: { timeout: 0 } };
  // fast = well under the 1 s fault latency, above one 200 ms half-open probe
  const breaker = { proxy: 'products', openWithin: '1500ms', fastWithin: '600ms', maxCallsPerRequest: 0.2 };

  it('passes the resilient caller: bounded wait, breaker opens (latency fault)', async () => {
    const ev = await faultPhase('resilient', slow);
    const t = judge(timeoutExpectation, { max: '1s' }, ev);
    expect(t.passed, t.message).toBe(true);
    const b = judge(circuitBreakerExpectation, breaker, ev);
    expect(b.passed, b.message).toBe(true);
  });

  it('fails the naive caller on timeout and circuit-breaker (latency fault)', async () => {
    const ev = await faultPhase('naive', slow);
    const t = judge(timeoutExpectation, { max: '1s' }, ev);
    expect(t.passed).toBe(false);
    expect(t.message).toMatch(/above the timeout budget of 1s/);
    const b = judge(circuitBreakerExpectation, breaker, ev);
    expect(b.passed).toBe(false);
    expect(b.message).toMatch(
      /^the caller kept calling the dependency: \d+ calls \(HTTP requests through proxy products\) for \d+ requests = (0\.9\d|1\.\d\d) calls per request/,
    );
  });

  it('passes bounded retries and fails the retry storm on attempts (reset fault)', async () => {
    const ok = await faultPhase('resilient', reset);
    const good = judge(retryExpectation, { proxy: 'products', maxAttempts: 3 }, ok);
    expect(good.passed, good.message).toBe(true);
    const storm = await faultPhase('storm', reset);
    const bad = judge(retryExpectation, { proxy: 'products', maxAttempts: 3 }, storm);
    expect(bad.passed).toBe(false);
    expect(bad.observed).toBeGreaterThan(10);
    expect(bad.message).toMatch(/attempts per request, above the bound of 3/);
    const b = judge(circuitBreakerExpectation, breaker, storm);
    expect(b.passed).toBe(false);
    expect(b.message).toMatch(/^the caller kept calling the dependency/);
  });
});
