// The AsyncLocalStorage context manager with a `with` that does not bind.
// OpenTelemetry's binds `fn` to `thisArg` on every call: one bound function per
// call, and the preload's HTTP server runs every request (and the request's and
// response's listeners) through `context.with(ctx, emit, emitter, ...args)`.
// Here `Reflect.apply` calls `fn` with `thisArg` inside the same `run`: same
// result, same context, same storage (the parent's, so `active`, `bind` and
// `disable` see it).
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** {@link AsyncLocalStorageContextManager} whose `with` calls `fn` on `thisArg` without `bind`. */
export class UnboundContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    // Private in the parent's types only.
    const storage = (this as unknown as { _asyncLocalStorage: AsyncLocalStorage<Context> })._asyncLocalStorage;
    if (thisArg == null) return storage.run(context, fn, ...args);
    return storage.run(context, Reflect.apply, fn, thisArg, args) as ReturnType<F>;
  }
}
