// Outbox support. A service that accepts a request and publishes its message
// later, from a background loop (an outbox), publishes outside the request's
// context: the producer span would start a new trace. When such a message
// carries the request's correlation ID, the publish is parented on the most
// recent server span with that ID, so one trace spans request -> broker ->
// consumer. Bounded: the server spans of the newest MAX_ENTRIES requests, for MAX_AGE_MS.

import type { SpanContext } from '@opentelemetry/api';
import * as api from '@opentelemetry/api';
import { correlationFromHeaders, withCorrelation } from './correlation.js';

const MAX_ENTRIES = 1000;
const MAX_AGE_MS = 5 * 60_000;

/** Server spans by correlation ID, newest last. */
export class RecentRequests {
  // The map holds the entries; the ring holds the ids in insertion order, so the
  // oldest is dropped in O(1) (a Map's first key after many deletes is not O(1)).
  readonly #byId = new Map<string, { context: SpanContext; at: number; slot: number }>();
  readonly #ring: (string | undefined)[] = new Array(MAX_ENTRIES);
  #next = 0;
  #active: boolean;

  /** `active: false` makes {@link remember} a no-op until {@link activate} (nothing can publish yet). */
  constructor(options: { active?: boolean } = {}) {
    this.#active = options.active ?? true;
  }

  /** Starts remembering (called when the broker client that can use the entries is patched). */
  activate(): void {
    this.#active = true;
  }

  /** Remembers the server span of a request with correlation ID `id`. */
  remember(id: string, context: SpanContext, now?: number): void {
    if (!this.#active) return;
    const slot = this.#next;
    this.#next = slot + 1 === MAX_ENTRIES ? 0 : slot + 1;
    const evicted = this.#ring[slot];
    // A slot left behind by a later remember() of the same id no longer owns its entry.
    if (evicted !== undefined && this.#byId.get(evicted)?.slot === slot) this.#byId.delete(evicted);
    this.#ring[slot] = id;
    this.#byId.set(id, { context, at: now ?? Date.now(), slot });
  }

  /** The server span of the latest request with correlation ID `id`, if recent. */
  lookup(id: string, now = Date.now()): SpanContext | undefined {
    const entry = this.#byId.get(id);
    return entry && now - entry.at <= MAX_AGE_MS ? entry.context : undefined;
  }

  get size(): number {
    return this.#byId.size;
  }
}

type Publish = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps `proto.publish` (outside the amqplib instrumentation's own wrapper):
 * a publish from a context without a span, whose headers carry a known
 * correlation ID, runs in the context of that request's server span.
 */
export function parentPublishesOnRequests(proto: object, recent: RecentRequests, headerNames: readonly string[]): void {
  const target = proto as { publish?: Publish };
  const original = target.publish;
  if (typeof original !== 'function' || !Object.hasOwn(proto, 'publish')) return;
  recent.activate();
  target.publish = function publish(this: unknown, ...args: unknown[]): unknown {
    try {
      const active = api.context.active();
      const span = api.trace.getSpan(active);
      if (!span || !api.trace.isSpanContextValid(span.spanContext())) {
        const options = args[3] as { headers?: unknown } | undefined;
        const id = correlationFromHeaders(options?.headers, headerNames);
        const parent = id === undefined ? undefined : recent.lookup(id);
        if (id !== undefined && parent !== undefined) {
          const ctx = withCorrelation(api.trace.setSpanContext(active, parent), id);
          return api.context.with(ctx, () => original.apply(this, args));
        }
      }
    } catch {
      // fall through to the plain publish
    }
    return original.apply(this, args);
  };
}
