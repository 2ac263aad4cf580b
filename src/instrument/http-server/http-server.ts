// Server spans for node:http and node:https, without the general-purpose
// OpenTelemetry HTTP instrumentation on the hot path. Per request it does only
// what a server span needs: extract the inbound context, start one SERVER span
// with the stable semantic-convention attributes, echo the correlation ID, run
// the handler in the span's context, and end the span when the response
// closes. Listeners the app adds to the request or the response run in the
// span's context through one patched `emit` per prototype (no per-request
// emitter binding). Outgoing requests stay with @opentelemetry/instrumentation-http.
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { CHAIN_ROOT } from './chain-context.js';

type Api = typeof import('@opentelemetry/api');
type Core = typeof import('@opentelemetry/core');
type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/** What the server instrumentation needs from the preload. */
export interface HttpServerHooks {
  /** Starts the SERVER span (server-span.ts); `attributes` is called only when it records. */
  readonly startSpan: (name: string, parent: Context, attributes: () => Attributes) => Span;
  /** True for requests the preload must not trace (its own metrics endpoint). */
  readonly isOwnRequest: (request: unknown) => boolean;
  /** Header that echoes the correlation ID on every response. */
  readonly correlationHeader: string;
  /** Correlation ID of a context (extracted or generated; also when the span is not sampled). */
  readonly correlationOf: (ctx: Context) => string | undefined;
  /** Lower-case header names captured as `http.request.header.*` / `http.response.header.*`. */
  readonly captureHeaders: readonly string[];
}

interface IncomingLike {
  method?: string;
  url?: string;
  httpVersion?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  [key: symbol]: unknown;
}

interface ResponseLike {
  statusCode: number;
  headersSent: boolean;
  writableFinished?: boolean;
  setHeader(name: string, value: string): unknown;
  getHeader(name: string): unknown;
  [key: symbol]: unknown;
}

/**
 * Per-request state, kept on the response under a symbol. It is also the
 * context's RPC metadata (`core.setRPCMetadata`), where the route hooks set
 * `route`: one object per request instead of two.
 */
interface Pending {
  readonly type: unknown;
  readonly span: Span;
  readonly method: string;
  route?: string;
}

const CONTEXT = Symbol.for('msa-verify.http.context');
const PENDING = Symbol.for('msa-verify.http.pending');

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

// Most requests to a service carry the same Host header: the last one parsed is kept.
let lastHost: { host: string; https: boolean; parsed: { readonly address?: string; readonly port?: number } } = {
  host: '',
  https: false,
  parsed: {},
};

/** Splits a Host header into address and port (default port of the scheme when absent). */
function parseHost(host: string | undefined, https: boolean): { readonly address?: string; readonly port?: number } {
  if (!host) return {};
  if (host === lastHost.host && https === lastHost.https) return lastHost.parsed;
  lastHost = { host, https, parsed: splitHost(host, https) };
  return lastHost.parsed;
}

/** Address and port of a Host header; an IPv6 address loses its brackets (it is an address, not a host). */
function splitHost(host: string, https: boolean): { address?: string; port?: number } {
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = bracket >= 0 ? host.indexOf(':', bracket) : host.lastIndexOf(':');
  const address = bracket > 0 ? host.slice(1, bracket) : colon < 0 ? host : host.slice(0, colon);
  if (colon < 0) return { address, port: https ? 443 : 80 };
  const port = Number(host.slice(colon + 1));
  return { address, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

/** Stable-semconv attributes of an inbound request, known when it arrives. */
function requestAttributes(
  request: IncomingLike,
  scheme: 'http' | 'https',
  capture: readonly string[],
): Record<string, string | number | string[]> {
  const raw = request.method ?? 'GET';
  const method = KNOWN_METHODS.has(raw) ? raw : '_OTHER';
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const headers = request.headers;
  const attributes: Record<string, string | number | string[]> = {
    'http.request.method': method,
    'url.scheme': scheme,
    'url.path': q < 0 ? url : url.slice(0, q),
  };
  if (q >= 0 && q < url.length - 1) attributes['url.query'] = url.slice(q + 1);
  if (method !== raw) attributes['http.request.method_original'] = raw;
  const host = parseHost(typeof headers.host === 'string' ? headers.host : undefined, scheme === 'https');
  if (host.address !== undefined) attributes['server.address'] = host.address;
  if (host.port !== undefined) attributes['server.port'] = host.port;
  const peer = request.socket?.remoteAddress;
  if (peer !== undefined) attributes['client.address'] = peer;
  if (request.httpVersion) attributes['network.protocol.version'] = request.httpVersion;
  const agent = headers['user-agent'];
  if (typeof agent === 'string') attributes['user_agent.original'] = agent;
  for (const name of capture) {
    const value = headers[name];
    if (value !== undefined) attributes[`http.request.header.${name}`] = Array.isArray(value) ? value : [value];
  }
  return attributes;
}

/** Patches and unpatches the servers and the request/response prototypes of one http module pair. */
export class HttpServerInstrumentation {
  readonly #api: Api;
  readonly #core: Core;
  readonly #hooks: HttpServerHooks;
  readonly #http: typeof import('node:http');
  readonly #https: typeof import('node:https');
  readonly #originals = new Map<object, Emit>();

  constructor(
    modules: { http: typeof import('node:http'); https: typeof import('node:https') },
    api: Api,
    core: Core,
    hooks: HttpServerHooks,
  ) {
    this.#api = api;
    this.#core = core;
    this.#hooks = hooks;
    this.#http = modules.http;
    this.#https = modules.https;
  }

  /** True once the servers are patched. */
  get enabled(): boolean {
    return this.#originals.size > 0;
  }

  enable(): void {
    if (this.enabled) return;
    this.#patch(this.#http.Server.prototype, (original) => this.#serverEmit(original, 'http'));
    this.#patch(this.#https.Server.prototype, (original) => this.#serverEmit(original, 'https'));
    this.#patch(this.#http.IncomingMessage.prototype, (original) => this.#contextEmit(original));
    this.#patch(this.#http.ServerResponse.prototype, (original) => this.#responseEmit(original));
  }

  disable(): void {
    for (const [proto, original] of this.#originals) (proto as { emit: Emit }).emit = original;
    this.#originals.clear();
  }

  #patch(proto: object, wrap: (original: Emit) => Emit): void {
    const target = proto as { emit: Emit };
    // https.Server inherits from tls.Server, not http.Server: each prototype gets its own wrapper.
    if (this.#originals.has(proto)) return;
    const original = target.emit;
    this.#originals.set(proto, original);
    target.emit = wrap(original);
  }

  // Listeners of a traced request or response run in the request's context.
  #contextEmit(original: Emit): Emit {
    const api = this.#api;
    return function emit(this: unknown, ...args) {
      const target = this as { [CONTEXT]?: Context; listenerCount(event: unknown): number };
      const ctx = target[CONTEXT];
      // Nothing to enter: no request context, no listener to run in it (most events of a request), or
      // emitted from inside the request already (res.end() in the handler emits 'finish').
      if (ctx === undefined || target.listenerCount(args[0]) === 0 || api.context.active() === ctx) {
        return Reflect.apply(original, this, args);
      }
      return api.context.with(ctx, original, this, ...(args as [string]));
    };
  }

  #responseEmit(original: Emit): Emit {
    const withContext = this.#contextEmit(original);
    const end = (response: ResponseLike) => this.#end(response);
    return function emit(this: unknown, ...args) {
      const response = this as ResponseLike;
      if (args[0] === 'close' && response[PENDING] !== undefined) end(response);
      return Reflect.apply(withContext, this, args);
    };
  }

  #serverEmit(original: Emit, scheme: 'http' | 'https'): Emit {
    const self = this;
    const api = this.#api;
    const core = this.#core;
    const hooks = this.#hooks;
    return function emit(this: unknown, ...args) {
      if (args[0] !== 'request') return Reflect.apply(original, this, args);
      const request = args[1] as IncomingLike;
      const response = args[2] as ResponseLike;
      let ctx: Context;
      let pending: Pending;
      try {
        if (hooks.isOwnRequest(request)) {
          return api.context.with(core.suppressTracing(api.context.active()), original, this, ...(args as [string]));
        }
        // A chain context: the five or six values set from here on cost no Map copies.
        const parent = api.propagation.extract(CHAIN_ROOT, request.headers);
        const method = (request.method ?? 'GET').toUpperCase();
        const span = hooks.startSpan(KNOWN_METHODS.has(method) ? method : 'HTTP', parent, () =>
          requestAttributes(request, scheme, hooks.captureHeaders),
        );
        pending = { type: core.RPCType.HTTP, span, method };
        ctx = core.setRPCMetadata(api.trace.setSpan(parent, span), pending as never);
        const id = hooks.correlationOf(ctx);
        if (id !== undefined && !response.headersSent) response.setHeader(hooks.correlationHeader, id);
        request[CONTEXT] = ctx;
        response[CONTEXT] = ctx;
        response[PENDING] = pending;
      } catch {
        // Telemetry must never break the app: serve the request untraced.
        return Reflect.apply(original, this, args);
      }
      try {
        return api.context.with(ctx, original, this, ...(args as [string]));
      } catch (error) {
        self.#fail(response, error);
        throw error;
      }
    };
  }

  #fail(response: ResponseLike, error: unknown): void {
    const pending = response[PENDING] as Pending | undefined;
    if (pending === undefined) return;
    try {
      pending.span.recordException(error as Error);
      pending.span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: (error as Error)?.message });
      pending.span.setAttribute('error.type', (error as Error)?.name ?? 'Error');
    } catch {
      // never into the app
    }
    this.#end(response, true);
  }

  #end(response: ResponseLike, failed = false): void {
    const pending = response[PENDING] as Pending | undefined;
    response[PENDING] = undefined;
    if (pending === undefined) return;
    try {
      const { span, route } = pending;
      // Nothing was sent when a handler threw or the client left first: no status code then.
      const status = response.headersSent ? response.statusCode : 0;
      if (status > 0) span.setAttribute('http.response.status_code', status);
      if (status >= 500) {
        span.setStatus({ code: this.#api.SpanStatusCode.ERROR });
        span.setAttribute('error.type', String(status));
      } else if (!failed && response.writableFinished === false) {
        // Closed before the response was complete: the client went away.
        span.setAttribute('error.type', 'aborted');
      }
      if (route) {
        span.setAttribute('http.route', route);
        span.updateName(`${pending.method} ${route}`);
      }
      for (const name of this.#hooks.captureHeaders) {
        const value = response.getHeader(name);
        if (value !== undefined) {
          span.setAttribute(`http.response.header.${name}`, Array.isArray(value) ? value.map(String) : [String(value)]);
        }
      }
      span.end();
    } catch {
      // never into the app
    }
  }
}
