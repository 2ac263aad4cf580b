// Correlation IDs: generation of a fresh one, where it lives in the
// OpenTelemetry context, and a propagator that reads it from inbound headers
// (HTTP, AMQP, Kafka) and writes it on outbound. The rule for accepting an
// inbound value is core/correlation-id.ts, shared with the contract matchers.
import { randomUUID } from 'node:crypto';
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { DEFAULT_CORRELATION_HEADER, isValidCorrelationId } from '../../core/correlation-id.js';

/** Span attribute and baggage entry that carry the correlation ID. */
export const CORRELATION_ATTRIBUTE = 'correlation.id';

// Symbol.for: every copy of this module (package self-reference, dist path
// given by the CLI) reads and writes the same context slot.
const CORRELATION_KEY: symbol = Symbol.for('msa-verify.correlation-id');

/** A fresh correlation ID (UUID v4). */
export function generateCorrelationId(): string {
  return randomUUID();
}

/** The correlation ID stored in `ctx`, if any. */
export function correlationFromContext(ctx: Context): string | undefined {
  const value = ctx.getValue(CORRELATION_KEY);
  return typeof value === 'string' ? value : undefined;
}

/** `ctx` with `id` stored as the correlation ID. */
export function withCorrelation(ctx: Context, id: string): Context {
  return ctx.setValue(CORRELATION_KEY, id);
}

/** Options for {@link CorrelationPropagator}. */
export interface CorrelationPropagatorOptions {
  /** Header names read in order; the first is also the one written. Lower case. */
  readonly headers: readonly string[];
  /** Reads the correlation ID of the active span when the context has none. */
  readonly fromSpan: (ctx: Context) => string | undefined;
}

/**
 * Reads the first valid correlation header on extract (generating one when
 * none is valid) and writes the context's correlation ID on inject. Extract
 * never fails: hostile input only ever leads to a generated ID.
 */
export class CorrelationPropagator implements TextMapPropagator {
  readonly #headers: readonly string[];
  readonly #fromSpan: (ctx: Context) => string | undefined;

  constructor(options: CorrelationPropagatorOptions) {
    this.#headers = options.headers;
    this.#fromSpan = options.fromSpan;
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    // A message or request that already carries a valid id keeps it: the app set it on purpose.
    if (carrier !== null && typeof carrier === 'object' && correlationFromHeaders(carrier, this.#headers.slice(0, 1))) {
      return;
    }
    // The span's value first: it is the app's own outbound header when it set one.
    const id = this.#fromSpan(ctx) ?? correlationFromContext(ctx);
    if (id !== undefined && isValidCorrelationId(id)) setter.set(carrier, this.#headers[0]!, id);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    let id: string | undefined;
    for (const name of this.#headers) {
      id = firstValid(firstValue(safeGet(getter, carrier, name)));
      if (id !== undefined) break;
    }
    return withCorrelation(ctx, id ?? generateCorrelationId());
  }

  fields(): string[] {
    return [this.#headers[0]!];
  }
}

function safeGet(getter: TextMapGetter, carrier: unknown, key: string): unknown {
  try {
    return carrier == null ? undefined : getter.get(carrier, key);
  } catch {
    return undefined;
  }
}

/**
 * The value itself when valid, else the first valid element of a
 * comma-joined list (Node joins repeated headers with ", "; a client that sets
 * the header and an instrumentation that appends it produce two).
 */
function firstValid(value: unknown): string | undefined {
  if (isValidCorrelationId(value)) return value;
  if (typeof value !== 'string' || value.length > 1024) return undefined;
  for (const part of value.split(',')) {
    const trimmed = part.trim();
    if (isValidCorrelationId(trimmed)) return trimmed;
  }
  return undefined;
}

/** The correlation ID an outbound request's headers carry, if valid. */
export function correlationFromHeaders(headers: unknown, names: readonly string[]): string | undefined {
  if (typeof headers === 'string') {
    // undici's raw form: "name: value\r\n" lines.
    const pairs: string[] = [];
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) pairs.push(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    return correlationFromHeaders(pairs, names);
  }
  if (headers == null || typeof headers !== 'object') return undefined;
  const lookup = (name: string): unknown => {
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2)
        if (String(headers[i]).toLowerCase() === name) return headers[i + 1];
      return undefined;
    }
    const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
    if (typeof h.get === 'function') return h.get(name);
    for (const key of Object.keys(h)) if (key.toLowerCase() === name) return h[key];
    return undefined;
  };
  for (const name of names) {
    const id = firstValid(firstValue(lookup(name)));
    if (id !== undefined) return id;
  }
  return undefined;
}

function firstValue(value: unknown): unknown {
  if (Array.isArray(value)) return value[0];
  // AMQP and Kafka headers may arrive as Buffers.
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return value;
}

/**
 * Header names to read, from `MSA_VERIFY_CORRELATION_HEADER` (one name; the
 * default is `x-correlation-id`). `x-request-id` is always accepted after it.
 */
export function correlationHeaders(configured: string | undefined): string[] {
  const primary = configured?.trim().toLowerCase();
  const first = primary && /^[a-z0-9-]{1,64}$/.test(primary) ? primary : DEFAULT_CORRELATION_HEADER;
  return [...new Set([first, 'x-request-id'])];
}
