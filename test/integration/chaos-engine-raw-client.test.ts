// The raw HTTP/1.1 client against a TCP server that writes crafted responses, for
// the framings a real service may use (chunked, close-delimited, HTTP/1.0, close).
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRawHttpSender } from '../../src/chaos/load/raw-http-sender.js';

let server: net.Server;
let target: string;
let accepted = 0;
const requests: string[] = [];

const RESPONSES: Record<string, string> = {
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n',
  '/close': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok',
  '/until-close': 'HTTP/1.0 200 OK\r\n\r\nstreamed body',
  '/garbage': 'NOT HTTP AT ALL\r\n\r\n',
};

beforeAll(async () => {
  server = net.createServer((socket) => {
    accepted++;
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        requests.push(buf.slice(0, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        const path = head.split(' ')[1] ?? '';
        if (path === '/reset') {
          socket.resetAndDestroy();
          return;
        }
        const response = RESPONSES[path] ?? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
        socket.write(response);
        if (path === '/close' || path === '/until-close' || path === '/garbage') socket.end();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

function sender(path: string, method: 'GET' | 'POST' = 'GET', body?: unknown) {
  return createRawHttpSender(
    {
      target,
      requests: [{ method, path, ...(body === undefined ? {} : { body }) }],
      ratePerSec: 1,
      durationMs: 1,
      timeoutMs: 2000,
      headers: { baggage: 'msa.run_id=r1', Host: 'example.test' },
    },
    { maxSockets: 1 },
  );
}

describe('raw HTTP/1.1 client framings', () => {
  it('reuses one keep-alive connection for chunked responses and renders the request correctly', async () => {
    const s = sender('/chunked', 'POST', { a: 1 });
    const before = accepted;
    requests.length = 0;
    for (let i = 0; i < 3; i++) expect(await s.send(i, `id-${i}`)).toEqual({ status: 200, bodySnippet: 'abcd' });
    s.close();
    expect(accepted - before).toBe(1);
    expect(requests[0]).toBe(
      'POST /chunked HTTP/1.1\r\nbaggage: msa.run_id=r1\r\nHost: example.test\r\ncontent-type: application/json\r\n' +
        'content-length: 7\r\nx-correlation-id: id-0\r\n\r\n{"a":1}',
    );
  });

  it('opens a new connection after "Connection: close" and reads close-delimited bodies', async () => {
    const close = sender('/close');
    const before = accepted;
    expect(await close.send(0, 'a')).toEqual({ status: 200, bodySnippet: 'ok' });
    expect(await close.send(1, 'b')).toEqual({ status: 200, bodySnippet: 'ok' });
    expect(accepted - before).toBe(2);
    close.close();
    const untilClose = sender('/until-close');
    expect(await untilClose.send(0, 'c')).toEqual({ status: 200, bodySnippet: 'streamed body' });
    untilClose.close();
  });

  it('reports resets and non-HTTP answers as transport errors', async () => {
    const reset = sender('/reset');
    expect(await reset.send(0, 'r')).toEqual({ status: 0, error: 'ECONNRESET' });
    reset.close();
    const garbage = sender('/garbage');
    expect(await garbage.send(0, 'g')).toEqual({ status: 0, error: 'HPE_INVALID_RESPONSE' });
    garbage.close();
  });

  it('queues beyond maxSockets instead of opening more connections', async () => {
    const s = sender('/x');
    const before = accepted;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.send(i, `q-${i}`)));
    s.close();
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(accepted - before).toBe(1);
  });
});
