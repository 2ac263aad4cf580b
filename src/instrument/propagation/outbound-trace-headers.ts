// fetch()/undici's instrumentation appends its traceparent and tracestate to
// the request's headers. An app that forwards the inbound headers (a gateway,
// a proxy) would then send two traceparent fields, which the next hop must
// treat as invalid (W3C Trace Context Level 2, §3.2) and start a new trace.
// Dropping the app's copies first leaves one, naming the client span as parent.

const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

/** An undici request as its diagnostics channel gives it: headers as `[k, v, k, v]` or `"k: v\r\n..."`. */
export interface UndiciRequestHeaders {
  headers: string | unknown[];
}

/** Removes `traceparent`/`tracestate` the app set on an undici request (in place); never throws. */
export function dropAppTraceHeaders(request: UndiciRequestHeaders): void {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    // Most requests carry none: scan before rebuilding.
    let found = false;
    for (let i = 0; i < headers.length; i += 2) {
      if (isTraceHeader(headers[i])) {
        found = true;
        break;
      }
    }
    if (!found) return;
    const kept: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!isTraceHeader(headers[i])) kept.push(headers[i], headers[i + 1]);
    }
    headers.length = 0;
    headers.push(...kept);
  } else if (typeof headers === 'string' && /trace(?:parent|state)/i.test(headers)) {
    request.headers = headers
      .split('\r\n')
      .filter((line) => !isTraceHeader(line.slice(0, line.indexOf(':'))))
      .join('\r\n');
  }
}

function isTraceHeader(name: unknown): boolean {
  return typeof name === 'string' && name.length >= 10 && TRACE_HEADERS.has(name.toLowerCase());
}
