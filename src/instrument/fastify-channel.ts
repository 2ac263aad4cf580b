// Fastify 5 publishes `tracing:fastify.request.handler:start` for every routed
// request. Setting the route on the HTTP server span's RPC metadata is all it
// takes for the span to be named `GET /users/:id` and carry `http.route`.
import diagnostics from 'node:diagnostics_channel';

let subscribed = false;

/** Subscribes once; safe to call when fastify is absent. */
export function subscribeFastify(
  api: typeof import('@opentelemetry/api'),
  core: typeof import('@opentelemetry/core'),
): void {
  if (subscribed) return;
  subscribed = true;
  diagnostics.subscribe('tracing:fastify.request.handler:start', (message) => {
    try {
      const request = (message as { request?: { routeOptions?: { url?: string } } }).request;
      const route = request?.routeOptions?.url;
      const meta = core.getRPCMetadata(api.context.active());
      if (route && meta && meta.type === core.RPCType.HTTP) meta.route = route;
    } catch {
      // never into the app
    }
  });
}
