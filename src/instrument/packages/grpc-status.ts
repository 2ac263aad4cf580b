// @opentelemetry/instrumentation-grpc sets a unary or client-stream server
// span's status from `err.code` only, so a handler that fails with a value
// without a numeric code (a string, as GoogleCloudPlatform/microservices-demo's
// currencyservice does with `callback(err.message)`, or a plain Error) leaves
// the span UNSET. grpc-js answers such errors with UNKNOWN (serverErrorToStatus),
// so the span becomes ERROR with rpc.grpc.status_code 2. A wrapper of
// Server.prototype.register outside the instrumentation's wraps each handler
// inside the instrumentation's span; what the handler passes on is unchanged.
import { context as otelContext, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

/** gRPC status UNKNOWN: what grpc-js sends for an error without a numeric code. */
const GRPC_UNKNOWN = 2;
const STATUS_CODE_ATTRIBUTE = 'rpc.grpc.status_code';
const WRAPPED = Symbol.for('msa-verify.instrument.grpc-status');

type Callback = (error: unknown, ...rest: unknown[]) => unknown;
type Handler = (this: unknown, call: unknown, callback?: Callback) => unknown;
type Register = (name: string, handler: Handler, ...rest: unknown[]) => unknown;

/** Wraps `grpc.Server.prototype.register` (already patched by the instrumentation); never throws. */
export function recordUncodedGrpcErrors(grpc: unknown): void {
  const proto = (grpc as { Server?: { prototype?: { register?: Register & { [WRAPPED]?: true } } } }).Server?.prototype;
  const register = proto?.register;
  if (proto === undefined || typeof register !== 'function' || register[WRAPPED]) return;
  const wrapped = function (this: unknown, name: string, handler: Handler, ...rest: unknown[]): unknown {
    const type = rest[2];
    const unary = type === 'unary' || type === 'clientStream' || type === 'client_stream';
    return register.call(
      this,
      name,
      unary && typeof handler === 'function' ? markOnCallback(name, handler) : handler,
      ...rest,
    );
  } as Register & { [WRAPPED]?: true };
  wrapped[WRAPPED] = true;
  proto.register = wrapped;
}

function markOnCallback(name: string, handler: Handler): Handler {
  const spanName = `grpc.${name.replace('/', '')}`;
  return function (this: unknown, call: unknown, callback?: Callback): unknown {
    const span = trace.getSpan(otelContext.active());
    // Only the instrumentation's span for this method (an ignored method runs in some other context).
    if (span === undefined || typeof callback !== 'function' || (span as { name?: string }).name !== spanName)
      return handler.call(this, call, callback);
    return handler.call(this, call, (error: unknown, ...rest: unknown[]) => {
      if (error && !hasNumericCode(error)) markUnknown(span, error);
      return callback(error, ...rest);
    });
  };
}

function hasNumericCode(error: unknown): boolean {
  return typeof error === 'object' && error !== null && Number.isInteger((error as { code?: unknown }).code);
}

function markUnknown(span: Span, error: unknown): void {
  try {
    const message = typeof error === 'string' ? error : String((error as { message?: unknown }).message ?? error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute(STATUS_CODE_ATTRIBUTE, GRPC_UNKNOWN);
  } catch {
    // Telemetry must never break the app.
  }
}
