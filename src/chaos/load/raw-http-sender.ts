// A lean HTTP/1.1 keep-alive client over net.Socket (tls.TLSSocket for https:):
// requests are pre-rendered strings, responses go through ResponseParser. It
// exists because node:http's per-request machinery caps a single Node process
// well below what autocannon and wrk reach (see docs/benchmarks.md). https
// targets go over tls.connect with the same parser (node:http is http-sender.ts).
//
//   send -> idle connection | new connection (< maxSockets) | wait queue
//        -> write request -> parser -> outcome -> connection back to idle (keep-alive) or closed

import net from 'node:net';
import tls from 'node:tls';
import type { SendOutcome } from './dispatch.js';
import type { HttpSender, HttpSenderOptions } from './http-sender.js';
import { ResponseParseError, ResponseParser } from './response-parser.js';
import type { LoadPlan } from './types.js';

interface Pending {
  finish(o: SendOutcome): void;
}

interface Conn {
  socket: net.Socket;
  parser: ResponseParser;
  current: Pending | undefined;
  dead: boolean;
}

interface Prepared {
  head: string;
  body: Buffer | undefined;
  /** The request sets its own Authorization: the plan's is not added. */
  ownAuthorization: boolean;
}

function prepare(plan: LoadPlan): Prepared[] {
  const base = new URL(plan.target);
  const basePath = base.pathname.replace(/\/$/, '');
  const host = base.host;
  return plan.requests.map((r) => {
    const headers: Record<string, string> = { ...plan.headers, ...r.headers };
    const has = (name: string) => Object.keys(headers).find((h) => h.toLowerCase() === name);
    if (!has('host')) headers.host = host;
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-length') delete headers[k];
    let body: Buffer | undefined;
    if (r.body !== undefined) {
      body = Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      if (!has('content-type')) headers['content-type'] = 'application/json';
    }
    // content-length always, so that the server can frame the request (0 for GET)
    headers['content-length'] = String(body?.length ?? 0);
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    const head = `${r.method} ${basePath}${r.path} HTTP/1.1\r\n${lines.join('')}x-correlation-id: `;
    return { head, body, ownAuthorization: has('authorization') !== undefined };
  });
}

/** Builds a raw keep-alive sender for an `http:` or `https:` plan. */
export function createRawHttpSender(plan: LoadPlan, options: HttpSenderOptions = {}): HttpSender {
  const base = new URL(plan.target);
  const secure = base.protocol === 'https:';
  const port = Number(base.port || (secure ? 443 : 80));
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
  // https: the same client over TLS (plan.tls: CA and client certificate); SNI only for names, not addresses.
  const connect = (): net.Socket =>
    secure
      ? tls.connect({ host, port, ...plan.tls, ...(net.isIP(host) ? {} : { servername: host }) }).setNoDelay(true)
      : net.connect({ host, port, noDelay: true });
  const prepared = prepare(plan);
  const authorization = plan.authorization;
  const maxSockets = options.maxSockets ?? Number.POSITIVE_INFINITY;
  const idle: Conn[] = [];
  const waiting: ((c: Conn) => void)[] = [];
  const all = new Set<Conn>();
  let closed = false;

  const release = (c: Conn): void => {
    c.current = undefined;
    if (c.dead || closed) return;
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };

  const kill = (c: Conn): void => {
    if (c.dead) return;
    c.dead = true;
    all.delete(c);
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
    c.socket.destroy();
    // a freed slot lets a waiter open a fresh connection
    const next = waiting.shift();
    if (next && !closed) next(open());
  };

  const open = (): Conn => {
    const socket = connect();
    const c: Conn = { socket, parser: new ResponseParser(), current: undefined, dead: false };
    all.add(c);
    socket.on('data', (chunk: Buffer) => {
      let responses: ReturnType<ResponseParser['push']>;
      try {
        responses = c.parser.push(chunk);
      } catch (error) {
        c.current?.finish({ status: 0, error: error instanceof ResponseParseError ? error.code : String(error) });
        kill(c);
        return;
      }
      for (const r of responses) {
        const pending = c.current;
        if (!pending) {
          kill(c); // a response nobody asked for: the connection is out of step
          return;
        }
        const o: SendOutcome = { status: r.status };
        if (r.snippet.length > 0) o.bodySnippet = r.snippet.toString('utf8');
        if (r.keepAlive) {
          c.current = undefined;
          pending.finish(o);
          release(c);
        } else {
          c.current = undefined;
          pending.finish(o);
          kill(c);
        }
      }
    });
    const onGone = (err?: NodeJS.ErrnoException): void => {
      const pending = c.current;
      c.current = undefined;
      if (pending) {
        const last = c.parser.end();
        if (last && !err) {
          const o: SendOutcome = { status: last.status };
          if (last.snippet.length > 0) o.bodySnippet = last.snippet.toString('utf8');
          pending.finish(o);
        } else pending.finish({ status: 0, error: err?.code ?? 'ECONNRESET' });
      }
      kill(c);
    };
    socket.on('error', (err: NodeJS.ErrnoException) => onGone(err));
    socket.on('close', () => onGone());
    socket.on('end', () => onGone());
    return c;
  };

  const acquire = (): Promise<Conn> | Conn => {
    const c = idle.pop();
    if (c) return c;
    if (all.size < maxSockets) return open();
    return new Promise((resolve) => waiting.push(resolve));
  };

  const send = (seq: number, correlationId: string): Promise<SendOutcome> =>
    new Promise((resolve) => {
      const spec = prepared[seq % prepared.length]!;
      let settled = false;
      let conn: Conn | undefined;
      const timer = setTimeout(() => {
        finish({ status: 0, error: 'timeout' });
        if (conn) kill(conn);
      }, plan.timeoutMs);
      const onAbort = (): void => {
        finish({ status: 0, error: 'aborted' });
        if (conn) kill(conn);
      };
      const finish = (o: SendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (conn && conn.current === pending) conn.current = undefined;
        resolve(o);
      };
      const pending: Pending = { finish };
      if (closed || options.signal?.aborted) {
        finish({ status: 0, error: 'aborted' });
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const start = (c: Conn): void => {
        if (settled) {
          release(c);
          return;
        }
        conn = c;
        c.current = pending;
        const head =
          authorization && !spec.ownAuthorization
            ? `${spec.head}${correlationId}\r\nauthorization: ${authorization()}\r\n\r\n`
            : `${spec.head}${correlationId}\r\n\r\n`;
        if (spec.body) {
          c.socket.cork();
          c.socket.write(head);
          c.socket.write(spec.body);
          c.socket.uncork();
        } else c.socket.write(head);
      };
      const got = acquire();
      if (got instanceof Promise) void got.then(start);
      else start(got);
    });

  return {
    send,
    close(): void {
      closed = true;
      for (const c of [...all]) kill(c);
      waiting.length = 0;
    },
  };
}
