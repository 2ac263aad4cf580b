// The `tls: required` rule: every HTTP call from one service to another in the
// request's trace went over TLS. Evidence is the client span's URL scheme
// (stable semconv `url.scheme`/`url.full`, old `http.url`/`http.scheme`); the
// callee is named from the server span under it, else from the URL's address.
import type { TraceRuleVerdict } from '../core/trace-results.js';
import type { SpanRecord } from '../evidence/types.js';
import type { TraceView } from './trace-view.js';

const URL_KEYS = ['url.full', 'http.url'] as const;
const METHOD_KEYS = ['http.request.method', 'http.method'] as const;

function text(span: SpanRecord, key: string): string | undefined {
  const v = span.attributes[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** An HTTP client span: kind client with an HTTP method or URL attribute. */
function isHttpClient(span: SpanRecord): boolean {
  return span.kind === 'client' && [...METHOD_KEYS, ...URL_KEYS, 'url.scheme'].some((k) => text(span, k) !== undefined);
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

/** Judges that every HTTP client span of the request used https. */
export function judgeTls(view: TraceView): TraceRuleVerdict {
  const calls = view.related.filter(isHttpClient);
  const base = { rule: 'tls', name: 'TLS on every service-to-service call', bound: 'every call https', unit: 'calls' };
  if (calls.length === 0) {
    return {
      ...base,
      passed: false,
      observed: null,
      message:
        'no HTTP client span in the request: nothing shows that its calls between services used TLS (are the callers instrumented?)',
    };
  }
  const plain: string[] = [];
  const unknown: string[] = [];
  for (const span of calls) {
    const scheme = schemeOf(span);
    const hop = `${span.service} → ${calleeOf(view, span)}`;
    if (scheme === undefined) unknown.push(`${hop} (client span '${span.name}' carries no URL scheme)`);
    else if (scheme !== 'https') plain.push(`${hop} over ${scheme}://`);
  }
  const bad = plain.length + unknown.length;
  if (bad === 0) {
    return { ...base, passed: true, observed: 0, message: `all ${calls.length} service-to-service call(s) used https` };
  }
  const parts = [
    ...(plain.length ? [`in clear: ${[...new Set(plain)].join('; ')}`] : []),
    ...(unknown.length ? [`cannot tell: ${[...new Set(unknown)].join('; ')}`] : []),
  ];
  return {
    ...base,
    passed: false,
    observed: bad,
    message: `${bad} of ${calls.length} call(s) without TLS; ${parts.join('; ')}`,
  };
}
