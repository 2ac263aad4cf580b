import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { sendJson } from '../shared/http.ts';

/** A route: requests whose path is `prefix` or starts with `prefix/` or `prefix?` go to `target`. */
export interface Route {
  name: string;
  prefix: string;
  /** Upstream base URL, e.g. http://127.0.0.1:8081. */
  target: string;
  /** Time the upstream has to answer (status and headers), ms; then 504. */
  timeoutMs: number;
  /**
   * Forward the trace context headers (default true). false is the broken
   * variant `GATEWAY_FORWARD_TRACEPARENT=off`: a proxy whose header handling
   * loses `traceparent`/`tracestate`, so the upstream starts a new trace.
   */
  forwardTraceContext?: boolean;
  /** Agent for an https: target (the service's client certificate and CA, see shared/tls.ts). */
  agent?: https.Agent;
}

// Hop-by-hop headers (RFC 9110 7.6.1) are not forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function forwardableHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Finds the route for a path (longest prefix first is not needed: prefixes do not overlap). */
export function matchRoute(routes: readonly Route[], url: string): Route | undefined {
  return routes.find((r) => url === r.prefix || url.startsWith(`${r.prefix}/`) || url.startsWith(`${r.prefix}?`));
}

/**
 * Forwards the request to the route's upstream (method, path, query, body and
 * headers incl. traceparent and x-correlation-id) and streams the answer back.
 * No answer within the route's timeout → 504 `gateway_timeout`; upstream not
 * reachable → 502 `bad_gateway`.
 */
export function forward(route: Route, req: http.IncomingMessage, res: http.ServerResponse, logger: Logger): void {
  const target = new URL(req.url ?? '/', route.target);
  const started = performance.now();
  const request = target.protocol === 'https:' ? https.request : http.request;
  const upstream = request(target, {
    method: req.method,
    headers: { ...forwardableHeaders(req.headers), host: target.host },
    ...(route.agent ? { agent: route.agent } : {}),
  });
  if (route.forwardTraceContext === false) {
    // Removed after http.request, so also what an instrumentation injected there.
    upstream.removeHeader('traceparent');
    upstream.removeHeader('tracestate');
  }
  let settled = false;
  const timer = setTimeout(() => {
    if (settled) return;
    settled = true;
    logger.warn({ route: route.name, url: req.url, timeoutMs: route.timeoutMs }, 'upstream timed out');
    sendJson(res, 504, { error: 'gateway_timeout' });
    upstream.destroy(new Error('gateway timeout'));
  }, route.timeoutMs);

  upstream.on('response', (answer) => {
    clearTimeout(timer);
    if (settled) {
      answer.resume();
      return;
    }
    settled = true;
    res.writeHead(answer.statusCode ?? 502, forwardableHeaders(answer.headers));
    answer.pipe(res);
    answer.on('error', () => res.destroy());
    logger.info(
      {
        route: route.name,
        method: req.method,
        url: req.url,
        status: answer.statusCode,
        ms: Math.round(performance.now() - started),
      },
      'forwarded',
    );
  });
  upstream.on('error', (err) => {
    clearTimeout(timer);
    if (settled) {
      if (!res.writableFinished) res.destroy();
      return;
    }
    settled = true;
    logger.warn({ route: route.name, url: req.url, err }, 'upstream unreachable');
    sendJson(res, 502, { error: 'bad_gateway' });
  });
  // The client went away before an answer: stop waiting for the upstream.
  res.on('close', () => {
    if (!res.writableFinished) {
      clearTimeout(timer);
      settled = true;
      upstream.destroy();
    }
  });
  req.pipe(upstream);
  req.on('error', () => upstream.destroy());
}
