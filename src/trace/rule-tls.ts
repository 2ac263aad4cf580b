// The `tls: required` rule: every call from one service to another in the
// request's trace went over TLS. Every client span is judged, from evidence on
// the span itself:
//   - the scheme of the connection: stable semconv `url.scheme`/`url.full`, old
//     `http.url`/`http.scheme` (HTTP clients; gRPC client spans get `url.scheme`
//     from the preload, which reads the channel's credentials: grpc-js speaks
//     HTTP/2 to https://host:port with secure ones, http://host:port otherwise);
//   - else semconv `tls.established` (true or false).
// A client span without either fails the rule as "no evidence": a call nobody
// can show to be secured never passes quietly. The callee is named from the
// server span under the client span, else from the peer address.
import type { TraceRuleVerdict } from '../core/trace-results.js';
import type { SpanRecord } from '../evidence/types.js';
import type { TraceView } from './trace-view.js';

const URL_KEYS = ['url.full', 'http.url'] as const;
/** Schemes whose connections are TLS. */
const TLS_SCHEMES: ReadonlySet<string> = new Set(['https', 'wss', 'grpcs', 'amqps']);

function text(span: SpanRecord, key: string): string | undefined {
  const v = span.attributes[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `https`, `http`, or undefined when the span does not say. */
export function schemeOf(span: SpanRecord): string | undefined {
  const scheme = text(span, 'url.scheme') ?? text(span, 'http.scheme');
  if (scheme) return scheme.toLowerCase();
  for (const key of URL_KEYS) {
    const url = text(span, key);
    const match = url ? /^([a-z][a-z0-9+.-]*):\/\//i.exec(url) : null;
    if (match) return match[1]!.toLowerCase();
  }
  return undefined;
}

/** What a client span shows of its transport: TLS or not and why, or undefined (no evidence). */
export function transportOf(span: SpanRecord): { tls: boolean; scheme?: string } | undefined {
  const scheme = schemeOf(span);
  if (scheme !== undefined) return { tls: TLS_SCHEMES.has(scheme), scheme };
  const established = span.attributes['tls.established'];
  if (typeof established === 'boolean') return { tls: established };
  return undefined;
}

function isGrpc(span: SpanRecord): boolean {
  return text(span, 'rpc.system') === 'grpc' || text(span, 'rpc.system.name') === 'grpc';
}

function calleeOf(view: TraceView, span: SpanRecord): string {
  const server = view.related.find((s) => s.parentSpanId === span.spanId && s.kind === 'server');
  if (server) return server.service;
  const address = text(span, 'server.address') ?? text(span, 'net.peer.name');
  const port = span.attributes['server.port'] ?? span.attributes['net.peer.port'];
  if (address) return port === undefined ? address : `${address}:${String(port)}`;
  const url = URL_KEYS.map((k) => text(span, k)).find(Boolean);
  try {
    return url ? new URL(url).host : 'an unknown peer';
  } catch {
    return 'an unknown peer';
  }
}

/** How a call in clear is named: the hop and what showed it. */
function inClear(hop: string, span: SpanRecord, scheme: string | undefined): string {
  if (isGrpc(span)) return `${hop} over gRPC on an insecure channel${scheme ? ` (url.scheme ${scheme})` : ''}`;
  return scheme ? `${hop} over ${scheme}://` : `${hop} (tls.established false)`;
}

/**
 * Messages handed to a broker (producer spans) are not calls between services
 * and are not judged; a passing verdict says so, naming them, so that a
 * broker hop in clear is never mistaken for a checked one.
 */
function notJudged(view: TraceView): string {
  const hops = new Set(
    view.related
      .filter((s) => s.kind === 'producer')
      .map((s) => `${s.service} → ${text(s, 'messaging.system') ?? 'a broker'}`),
  );
  return hops.size === 0 ? '' : `; not judged (messages to a broker, not service calls): ${[...hops].join(', ')}`;
}

/** Judges that every client span of the request (HTTP, gRPC, any other) shows that its call used TLS. */
export function judgeTls(view: TraceView): TraceRuleVerdict {
  const calls = view.related.filter((s) => s.kind === 'client');
  const base = { rule: 'tls', name: 'TLS on every service-to-service call', bound: 'every call TLS', unit: 'calls' };
  if (calls.length === 0) {
    return {
      ...base,
      passed: false,
      observed: null,
      message:
        'no client span in the request: nothing shows that its calls between services used TLS (are the callers instrumented?)',
    };
  }
  const plain: string[] = [];
  const unknown: string[] = [];
  let httpsOnly = true;
  for (const span of calls) {
    const transport = transportOf(span);
    const hop = `${span.service} → ${calleeOf(view, span)}`;
    if (transport?.scheme !== 'https') httpsOnly = false;
    if (transport === undefined) {
      unknown.push(
        `${hop} (client span '${span.name}' carries no url.scheme, url.full, http.url, http.scheme or tls.established)`,
      );
    } else if (!transport.tls) plain.push(inClear(hop, span, transport.scheme));
  }
  const bad = plain.length + unknown.length;
  if (bad === 0) {
    const how = httpsOnly ? 'https' : 'TLS';
    return {
      ...base,
      passed: true,
      observed: 0,
      message: `all ${calls.length} service-to-service call(s) used ${how}${notJudged(view)}`,
    };
  }
  const parts = [
    ...(plain.length ? [`in clear: ${[...new Set(plain)].join('; ')}`] : []),
    ...(unknown.length ? [`no evidence of TLS either way: ${[...new Set(unknown)].join('; ')}`] : []),
  ];
  return {
    ...base,
    passed: false,
    observed: bad,
    message: `${bad} of ${calls.length} call(s) without TLS; ${parts.join('; ')}`,
  };
}
