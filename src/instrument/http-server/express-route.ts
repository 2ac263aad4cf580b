// Express route names without a span per layer: one wrapper on
// Route.prototype.dispatch (express 4 and 5 export Route), which runs once per
// matched route and sets the route on the HTTP server span's RPC metadata.
// The server span is then named `GET /users/:id` and carries `http.route`, as
// with fastify. Used when MSA_VERIFY_EXPRESS_SPANS=route (the default); the
// OpenTelemetry express instrumentation, which wraps every layer, is loaded
// only for `handlers` and `all`.
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';

type Dispatch = (this: { path?: unknown }, req: { baseUrl?: string }, ...rest: unknown[]) => unknown;
interface RouteProto {
  dispatch: Dispatch;
}
interface ExpressExports {
  Route?: { prototype: RouteProto };
  default?: { Route?: { prototype: RouteProto } };
}

const ORIGINAL = Symbol.for('msa-verify.express.dispatch');

/** The route template of a matched route: the mount path of its router, then its own path. */
function routeOf(baseUrl: string | undefined, path: unknown): string {
  const own = typeof path === 'string' ? path : Array.isArray(path) ? path.map(String).join(',') : String(path);
  return `${baseUrl ?? ''}${own}`;
}

function patch(proto: RouteProto): void {
  if ((proto.dispatch as unknown as { [ORIGINAL]?: Dispatch })[ORIGINAL]) return;
  const original = proto.dispatch;
  const dispatch: Dispatch = function dispatch(this: { path?: unknown }, req, ...rest) {
    try {
      const rpc = getRPCMetadata(context.active());
      if (rpc?.type === RPCType.HTTP) rpc.route = routeOf(req?.baseUrl, this.path);
    } catch {
      // never into the app
    }
    return Reflect.apply(original, this, [req, ...rest]);
  };
  (dispatch as unknown as { [ORIGINAL]: Dispatch })[ORIGINAL] = original;
  proto.dispatch = dispatch;
}

function unpatch(proto: RouteProto): void {
  const original = (proto.dispatch as unknown as { [ORIGINAL]?: Dispatch })[ORIGINAL];
  if (original) proto.dispatch = original;
}

function routeProto(exports: unknown): RouteProto | undefined {
  const e = exports as ExpressExports | undefined;
  const proto = e?.Route?.prototype ?? e?.default?.Route?.prototype;
  return typeof proto?.dispatch === 'function' ? proto : undefined;
}

/** Route names for express 4 and 5, through the same require/import hooks as the OpenTelemetry instrumentations. */
export class ExpressRouteInstrumentation extends InstrumentationBase {
  constructor(config: { enabled?: boolean } = {}) {
    super('msa-verify-express-route', '1.0.0', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'express',
        ['>=4.0.0 <6'],
        (exports: unknown) => {
          const proto = routeProto(exports);
          if (proto) patch(proto);
          return exports;
        },
        (exports: unknown) => {
          const proto = routeProto(exports);
          if (proto) unpatch(proto);
        },
      ),
    ];
  }
}
