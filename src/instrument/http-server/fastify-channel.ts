// Fastify routes for the HTTP server span. Fastify publishes every new instance
// on the `fastify.initialization` diagnostics channel; the preload adds an
// onRoute hook there, and each route's handler is wrapped once, when the route
// is registered, to put the route on the server span's RPC metadata (the span
// is then named `GET /users/:id` and carries `http.route`). Per request this
// is one function call; subscribing to fastify's per-request tracing channel
// instead made fastify build and publish a diagnostics store for every request.
import diagnostics from 'node:diagnostics_channel';

type Api = typeof import('@opentelemetry/api');
type Core = typeof import('@opentelemetry/core');
type Handler = (this: unknown, request: unknown, reply: unknown) => unknown;

interface RouteOptions {
  url?: string;
  handler?: Handler;
}

interface FastifyLike {
  addHook(name: 'onRoute', hook: (options: RouteOptions) => void): unknown;
}

const WRAPPED = Symbol.for('msa-verify.fastify.route');
let subscribed = false;

/** Subscribes once; safe to call when fastify is absent. */
export function subscribeFastify(api: Api, core: Core): void {
  if (subscribed) return;
  subscribed = true;
  diagnostics.subscribe('fastify.initialization', (message) => {
    try {
      const app = (message as { fastify?: FastifyLike }).fastify;
      app?.addHook('onRoute', (options) => wrapHandler(api, core, options));
    } catch {
      // never into the app
    }
  });
}

function wrapHandler(api: Api, core: Core, options: RouteOptions): void {
  const { url, handler } = options;
  if (typeof url !== 'string' || typeof handler !== 'function' || (handler as { [WRAPPED]?: true })[WRAPPED]) return;
  const route = url;
  const wrapped: Handler = function (this: unknown, request, reply) {
    try {
      const meta = core.getRPCMetadata(api.context.active());
      if (meta !== undefined && meta.type === core.RPCType.HTTP) meta.route = route;
    } catch {
      // never into the app
    }
    return handler.call(this, request, reply);
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  Object.defineProperty(wrapped, 'name', { value: handler.name });
  options.handler = wrapped;
}
