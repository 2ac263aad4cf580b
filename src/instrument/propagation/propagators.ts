// Propagator adapter that carries the correlation ID in baggage as well as in
// its own header.
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
