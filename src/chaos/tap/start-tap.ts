import net from 'node:net';
import { MsaVerifyError } from '../../core/errors.js';
import { FailBudget } from './fail-budget.js';
import { createRequestCounter } from './h2-request-counter.js';
import { MAX_TAP_RECORDS, type Tap, type TapConnection } from './types.js';

type ConnectionRecord = { -readonly [K in keyof TapConnection]: TapConnection[K] } & { requests: number[] };

function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port < 1 || port > 65_535) {
    throw new MsaVerifyError('MSAV_USAGE', `tap upstream must be host:port, got ${JSON.stringify(value)}`);
  }
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

const REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/1\.[01]\r?$/;
const MAX_LINE = 8192;

/**
 * Calls `onRequest` for every line of the client stream that looks like an
 * HTTP/1.x request line (`GET /x HTTP/1.1`). Bodies are not framed: a body
 * line that looks exactly like a request line would count, which JSON bodies
 * never do. Non-HTTP protocols simply count nothing.
 */
export function createRequestLineCounter(onRequest: () => void): (chunk: Buffer) => void {
  let partial = '';
  return (chunk: Buffer): void => {
    const text = partial + chunk.toString('latin1');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > MAX_LINE) partial = partial.slice(-MAX_LINE);
    for (const line of lines) if (REQUEST_LINE.test(line)) onRequest();
  };
}

/**
 * Starts a relay on 127.0.0.1 (free port) that forwards every connection to
 * `upstream` (`host:port`). A failed upstream connect resets the client side,
 * so the caller sees the same error it would see connecting directly.
 */
export async function startTap(upstream: string): Promise<Tap> {
  const target = parseHostPort(upstream);
  const accepted: number[] = [];
  const requestTimes: number[] = [];
  const failedTimes: number[] = [];
  const records: ConnectionRecord[] = [];
  const sockets = new Set<net.Socket>();
  // Relayed connections by their client socket, so that cutConnections can end both sides.
  const relayed = new Map<net.Socket, { up: net.Socket; record: ConnectionRecord }>();
  const budget = new FailBudget();

  const server = net.createServer((client) => {
    const now = Date.now();
    accepted.push(now);
    const record: ConnectionRecord = { openedAt: now, closedAt: undefined, end: undefined, requests: [] };
    records.push(record);
    if (records.length > MAX_TAP_RECORDS) records.shift();
    const ended = (how: NonNullable<TapConnection['end']>): void => {
      if (record.end !== undefined) return;
      record.end = how;
      record.closedAt = Date.now();
    };
    if (budget.take()) {
      failedTimes.push(now);
      ended('reset');
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    sockets.add(client);
    const up = net.connect(target.port, target.host);
    sockets.add(up);
    relayed.set(client, { up, record });
    client.setNoDelay(true);
    up.setNoDelay(true);
    const teardown = (): void => {
      sockets.delete(client);
      sockets.delete(up);
      relayed.delete(client);
      ended('closed');
    };
    client.on('error', () => {
      ended('error');
      if (!up.destroyed) up.resetAndDestroy();
    });
    up.on('error', () => {
      ended('error');
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('close', teardown);
    up.on('close', teardown);
    // HTTP/1.x request lines, or HTTP/2 streams (gRPC calls, each retry attempt included).
    const counter = createRequestCounter(() => {
      const at = Date.now();
      requestTimes.push(at);
      record.requests.push(at);
    }, createRequestLineCounter);
    client.on('data', counter);
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;

  return {
    listen: `127.0.0.1:${port}`,
    connections: () => accepted.slice(),
    requests: () => requestTimes.slice(),
    failed: () => failedTimes.slice(),
    connectionLog: () => records.map((r) => ({ ...r, requests: r.requests.slice() })),
    failNext(n: number): void {
      if (!Number.isInteger(n) || n < 0)
        throw new MsaVerifyError('MSAV_USAGE', `failNext needs an integer >= 0, got ${n}`);
      budget.arm(n);
    },
    disarm: () => budget.disarm(),
    cutConnections(): number {
      const open = [...relayed];
      for (const [client, { up, record }] of open) {
        if (record.end === undefined) {
          record.end = 'cut';
          record.closedAt = Date.now();
        }
        // A FIN to both sides: Toxiproxy then closes the caller's link, which an idle pooled socket takes as a normal close.
        client.destroy();
        up.destroy();
      }
      return open.length;
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closed;
    },
  };
}
