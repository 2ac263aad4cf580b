import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTap } from '../../src/chaos/tap/start-tap.js';
import { tapCalls } from '../../src/chaos/tap/types.js';

let upstream: http.Server;
let upstreamAddr: string;

beforeAll(async () => {
  upstream = http.createServer((_req, res) => res.end('pong'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamAddr = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

/** One request on a fresh connection; resolves with the body or the error code. */
function getOnce(listen: string): Promise<string> {
  const [host, port] = listen.split(':');
  return new Promise((resolve) => {
    const req = http.get({ host, port: Number(port), path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('tap: TCP relay that counts and fails connections', () => {
  it('relays traffic and records one accept time per connection', async () => {
    const tap = await startTap(upstreamAddr);
    try {
      const before = Date.now();
      expect(await getOnce(tap.listen)).toBe('pong');
      expect(await getOnce(tap.listen)).toBe('pong');
      const times = tap.connections();
      expect(times).toHaveLength(2);
      expect(times[0]).toBeGreaterThanOrEqual(before);
      // keep-alive: many requests over one connection count once
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const [host, port] = tap.listen.split(':');
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve, reject) =>
          http.get({ host, port: Number(port), agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
        );
      }
      agent.destroy();
      expect(tap.connections()).toHaveLength(3);
      // request heads are counted per request, also over the keep-alive connection
      expect(tap.requests?.()).toHaveLength(7);
      expect(tapCalls(tap)).toHaveLength(7);
    } finally {
      await tap.close();
    }
  });

  it('resets exactly the next N connections, then heals', async () => {
    const tap = await startTap(upstreamAddr);
    try {
      tap.failNext(2);
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await getOnce(tap.listen));
      expect(results).toEqual(['ECONNRESET', 'ECONNRESET', 'pong', 'pong']);
      expect(tap.connections()).toHaveLength(4);
      expect(tap.failed?.()).toHaveLength(2);
      expect(tapCalls(tap)).toHaveLength(4); // 2 reset attempts + 2 relayed requests
    } finally {
      await tap.close();
    }
  });

  it('resets the client when the upstream is down, and close() stops listening', async () => {
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    const tap = await startTap(`127.0.0.1:${port}`);
    expect(await getOnce(tap.listen)).toBe('ECONNRESET');
    await tap.close();
    expect(await getOnce(tap.listen)).toBe('ECONNREFUSED');
  });

  it('rejects a malformed upstream and a bad failNext count', async () => {
    await expect(startTap('nohost')).rejects.toThrow(/tap upstream must be host:port, got "nohost"/);
    const tap = await startTap(upstreamAddr);
    expect(() => tap.failNext(-1)).toThrow(/integer >= 0/);
    await tap.close();
  });
});
