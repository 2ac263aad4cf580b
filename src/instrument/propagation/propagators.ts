// Propagator adapters around the W3C ones: tolerate a repeated traceparent,
// and carry the correlation ID in baggage as well as in its own header.
import type {
  Baggage,
  BaggageEntry,
  Context,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from '@opentelemetry/api';
import { CORRELATION_ATTRIBUTE, type CorrelationPropagator, correlationFromContext } from './correlation.js';

type Api = typeof import('@opentelemetry/api');

/**
 * Reads the last of several comma-joined `traceparent` values: a client that
 * forwards the inbound header and an instrumentation that appends its own
 * produce two, and the appended one (the current client span) is the parent.
 */
export class LastTraceparent implements TextMapPropagator {
  readonly #inner: TextMapPropagator;
  constructor(inner: TextMapPropagator) {
    this.#inner = inner;
  }
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#inner.inject(ctx, carrier, setter);
  }
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.#inner.extract(ctx, carrier, lastTraceparentGetter(getter));
  }
  fields(): string[] {
    return this.#inner.fields();
  }
}

// Instrumentations pass the same getter object on every extract: wrap each once, not per request.
const wrappedGetters = new WeakMap<TextMapGetter, TextMapGetter>();

function lastTraceparentGetter(getter: TextMapGetter): TextMapGetter {
  let wrapped = wrappedGetters.get(getter);
  if (wrapped === undefined) {
    wrapped = {
      keys: (c) => getter.keys(c),
      get: (c, key) => {
        const value = getter.get(c, key);
        if (key !== 'traceparent') return value;
        const one = Array.isArray(value) ? value[value.length - 1] : value;
        return typeof one === 'string' && one.includes(',') ? one.slice(one.lastIndexOf(',') + 1).trim() : one;
      },
    };
    wrappedGetters.set(getter, wrapped);
  }
  return wrapped;
}

/** Adds the correlation ID to baggage on extract (so it travels in `baggage` too) and injects the header. */
export class BaggageCorrelation implements TextMapPropagator {
  readonly #api: Api;
  readonly #inner: CorrelationPropagator;
  constructor(api: Api, inner: CorrelationPropagator) {
    this.#api = api;
    this.#inner = inner;
  }
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#inner.inject(ctx, carrier, setter);
  }
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const next = this.#inner.extract(ctx, carrier, getter);
    const id = correlationFromContext(next)!;
    const propagation = this.#api.propagation;
    const bag = propagation.getBaggage(next);
    // Most requests carry no baggage: one small object instead of three Map copies.
    return propagation.setBaggage(
      next,
      bag === undefined ? new CorrelationBaggage(propagation, id) : bag.setEntry(CORRELATION_ATTRIBUTE, { value: id }),
    );
  }

  fields(): string[] {
    return this.#inner.fields();
  }
}

/**
 * Baggage holding only the correlation ID. Reads are answered directly; any
 * change returns the API's own baggage, so it behaves like one made by
 * `createBaggage({ 'correlation.id': { value: id } })`.
 */
export class CorrelationBaggage implements Baggage {
  readonly #propagation: Api['propagation'];
  readonly #id: string;

  constructor(propagation: Api['propagation'], id: string) {
    this.#propagation = propagation;
    this.#id = id;
  }

  getEntry(key: string): BaggageEntry | undefined {
    return key === CORRELATION_ATTRIBUTE ? { value: this.#id } : undefined;
  }

  getAllEntries(): [string, BaggageEntry][] {
    return [[CORRELATION_ATTRIBUTE, { value: this.#id }]];
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    return this.#full().setEntry(key, entry);
  }

  removeEntry(key: string): Baggage {
    return key === CORRELATION_ATTRIBUTE ? this.#propagation.createBaggage() : this;
  }

  removeEntries(...keys: string[]): Baggage {
    return keys.includes(CORRELATION_ATTRIBUTE) ? this.#propagation.createBaggage() : this;
  }

  clear(): Baggage {
    return this.#propagation.createBaggage();
  }

  #full(): Baggage {
    return this.#propagation.createBaggage({ [CORRELATION_ATTRIBUTE]: { value: this.#id } });
  }
}
