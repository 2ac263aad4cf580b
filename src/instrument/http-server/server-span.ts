// The HTTP server span, started without the SDK's Tracer and SpanImpl. It is
// the one span every traced request makes, so its cost sets the preload's
// throughput: here it takes its ids from a pooled random buffer, adopts the
// request's attribute object as is, stores primitive attributes without the
// SDK's per-call validation objects, and hands the encoder its raw id bytes.
// Everything else follows the SDK span: the configured sampler decides,
// the same span processors see onStart/onEnding/onEnd, the default span limits
// apply (the preload builds its provider without limits), and events, links,
// exceptions, status and timing behave as they do on an SDK span.
import { randomFillSync } from 'node:crypto';
import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  HrTime,
  Link,
  Span,
  SpanContext,
  SpanStatus,
  TimeInput,
} from '@opentelemetry/api';
import type { ReadableSpan, Sampler, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import {
  ATTRIBUTE_ADD_NEW,
  ATTRIBUTE_DROP_LIMIT_REACHED,
  SAMPLING_NOT_RECORD,
  SAMPLING_RECORD_AND_SAMPLED,
  SPAN_KIND_SERVER,
  STATUS_ERROR,
  STATUS_OK,
  STATUS_UNSET,
  TRACE_FLAG_SAMPLED,
} from '../otel-enums.js';
import { TRACE_FLAG_RANDOM } from '../propagation/trace-flags.js';

type Api = typeof import('@opentelemetry/api');
type Core = typeof import('@opentelemetry/core');

/** The SDK's default span limits; the preload's provider is built with these. */
export const SPAN_LIMITS = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: Number.POSITIVE_INFINITY,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
} as const;

const NO_LINKS: Link[] = [];
// Shared until the span gets its own: most server spans have no events, keep the initial status, and are
// read only after they ended. Each saves an allocation per request (docs/benchmarks.md).
const NO_EVENTS: TimedEvent[] = [];
const UNSET: SpanStatus = Object.freeze({ code: STATUS_UNSET });
const NOT_ENDED = Object.freeze([0, 0]) as unknown as HrTime;
const NO_DURATION = Object.freeze([-1, -1]) as unknown as HrTime;
// performance.timeOrigin as HrTime, computed as the SDK's hrTime() does for every call.
const ORIGIN_SECONDS = Math.trunc(performance.timeOrigin / 1000);
const ORIGIN_NANOS = Math.round((performance.timeOrigin % 1000) * 1e6);

/** `[seconds, nanos]` plus `ms` milliseconds: the SDK's addHrTimes(base, millisToHrTime(ms)) in one array. */
function plusMillis(seconds: number, nanos: number, ms: number): HrTime {
  let s = seconds + Math.trunc(ms / 1000);
  let ns = nanos + Math.round((ms % 1000) * 1e6);
  if (ns >= 1e9) {
    ns -= 1e9;
    s += 1;
  }
  return [s, ns];
}

// Random ids: 24 bytes per span (trace id, then span id) from a pool refilled 24 KiB at a time.
const POOL_SPANS = 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;

function takeIds(): number {
  if (poolAt + 24 > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(24 * POOL_SPANS));
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 24;
  // An all-zero id is invalid: about 2^-64 per span, and cheap to rule out.
  let span = 0;
  for (let i = at + 16; i < at + 24; i++) span |= pool[i]!;
  if (span === 0) pool[at + 23] = 1;
  let trace = 0;
  for (let i = at; i < at + 16; i++) trace |= pool[i]!;
  if (trace === 0) pool[at + 15] = 1;
  return at;
}

/** What every server span shares: where it is reported and how it is sampled. */
export interface ServerSpanShared {
  readonly api: Api;
  readonly core: Core;
  readonly sampler: Sampler;
  readonly processors: readonly SpanProcessor[];
  readonly resource: ReadableSpan['resource'];
  readonly scope: ReadableSpan['instrumentationScope'];
}

/** Starts server spans: sampled ones as {@link ServerSpan}, the others as the API's non-recording span. */
export class ServerSpanFactory {
  readonly #shared: ServerSpanShared;

  constructor(shared: ServerSpanShared) {
    this.#shared = shared;
  }

  /** A SERVER span named `name`, child of the span in `parent`; `attributes` is called only when it records. */
  start(name: string, parent: Context, attributes: () => Attributes): Span {
    const { api, core, sampler } = this.#shared;
    if (core.isTracingSuppressed(parent)) return api.trace.wrapSpanContext(api.INVALID_SPAN_CONTEXT);
    const parentContext = api.trace.getSpanContext(parent);
    const continued = parentContext !== undefined && api.trace.isSpanContextValid(parentContext);
    const at = takeIds();
    const ids = pool.toString('hex', at + (continued ? 16 : 0), at + 24);
    const traceId = continued ? parentContext.traceId : ids.slice(0, 32);
    const spanId = continued ? ids : ids.slice(32);
    const result = sampler.shouldSample(parent, traceId, name, SPAN_KIND_SERVER, {}, NO_LINKS);
    const spanContext: SpanContext = {
      traceId,
      spanId,
      // Level 2's random bit describes the trace id: a continued trace keeps the caller's
      // (random-flag.ts); a new one has an id drawn from the random pool, so it is set.
      traceFlags:
        (result.decision === SAMPLING_RECORD_AND_SAMPLED ? TRACE_FLAG_SAMPLED : 0) |
        (continued ? parentContext.traceFlags & TRACE_FLAG_RANDOM : TRACE_FLAG_RANDOM),
      traceState: result.traceState ?? (continued ? parentContext.traceState : undefined),
    };
    if (result.decision === SAMPLING_NOT_RECORD) return api.trace.wrapSpanContext(spanContext);
    const own = attributes();
    if (result.attributes) Object.assign(own, result.attributes);
    const span = new ServerSpan(this.#shared, name, spanContext, continued ? parentContext : undefined, own, {
      pool,
      at,
      trace: !continued,
    });
    for (const processor of this.#shared.processors) processor.onStart(span, parent);
    return span;
  }
}

/** Where the encoder finds a span's id bytes: the span id at `at + 16`, the trace id at `at` when generated here. */
export interface RawIds {
  readonly pool: Uint8Array;
  readonly at: number;
  /** False when the trace id came from the parent (then only its hex form exists). */
  readonly trace: boolean;
}

/** A recording SERVER span; the API's Span and the SDK's ReadableSpan. */
export class ServerSpan implements Span, ReadableSpan {
  name: string;
  readonly kind = SPAN_KIND_SERVER;
  readonly parentSpanContext: SpanContext | undefined;
  attributes: Attributes;
  links: Link[] = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  status: SpanStatus = UNSET;
  readonly startTime: HrTime;
  endTime: HrTime = NOT_ENDED;
  readonly resource: ReadableSpan['resource'];
  readonly instrumentationScope: ReadableSpan['instrumentationScope'];
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  /** Id bytes for the encoder (see {@link RawIds}). */
  readonly rawIds: RawIds;

  readonly #shared: ServerSpanShared;
  readonly #context: SpanContext;
  readonly #started: number;
  #count: number;
  #ended = false;
  #duration: HrTime = NO_DURATION;

  constructor(
    shared: ServerSpanShared,
    name: string,
    context: SpanContext,
    parent: SpanContext | undefined,
    attributes: Attributes,
    ids: RawIds,
  ) {
    this.#shared = shared;
    this.name = name;
    this.#context = context;
    this.parentSpanContext = parent;
    this.resource = shared.resource;
    this.instrumentationScope = shared.scope;
    this.#started = performance.now();
    this.startTime = plusMillis(ORIGIN_SECONDS, ORIGIN_NANOS, this.#started);
    this.rawIds = ids;
    let count = 0;
    for (const _ in attributes) count++;
    if (count > SPAN_LIMITS.attributeCountLimit) {
      const clean = shared.core.cleanAttributes(attributes, SPAN_LIMITS);
      this.attributes = clean.attributes ?? {};
      this.droppedAttributesCount = clean.droppedAttributesCount ?? 0;
      count = SPAN_LIMITS.attributeCountLimit;
    } else {
      this.attributes = attributes;
    }
    this.#count = count;
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  get duration(): HrTime {
    return this.#duration;
  }

  get ended(): boolean {
    return this.#ended;
  }

  isRecording(): boolean {
    return !this.#ended;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (this.#afterEnd()) return this;
    const kind = typeof value;
    if ((kind === 'string' || kind === 'number' || kind === 'boolean') && typeof key === 'string' && key.length > 0) {
      const attributes = this.attributes as Record<string, AttributeValue>;
      const known = Object.hasOwn(attributes, key);
      if (!known && this.#count >= SPAN_LIMITS.attributeCountLimit) {
        this.droppedAttributesCount++;
        return this;
      }
      attributes[key] = value as AttributeValue;
      if (!known) this.#count++;
      return this;
    }
    // Arrays, byte arrays, maps and invalid values: the SDK's own rules.
    const decision = this.#shared.core.maybeAddAttribute({
      key,
      value,
      attributes: this.attributes as Record<string, AttributeValue>,
      limits: SPAN_LIMITS,
      currentAttributesCount: this.#count,
    } as never);
    if (decision === ATTRIBUTE_DROP_LIMIT_REACHED) this.droppedAttributesCount++;
    else if (decision === ATTRIBUTE_ADD_NEW) this.#count++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#afterEnd()) return this;
    const core = this.#shared.core;
    if (this.events === NO_EVENTS) this.events = [];
    if (this.events.length >= SPAN_LIMITS.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attributes: Attributes | undefined;
    if (core.isTimeInput(attributesOrTime)) {
      if (!core.isTimeInput(time)) time = attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    this.events.push({
      name,
      time: this.#time(time),
      ...core.cleanSimpleAttributes(attributes, {
        attributeCountLimit: SPAN_LIMITS.attributePerEventCountLimit,
        attributeValueLengthLimit: SPAN_LIMITS.attributeValueLengthLimit,
      }),
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.#afterEnd()) return this;
    if (this.links === NO_LINKS) this.links = [];
    if (this.links.length >= SPAN_LIMITS.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    this.links.push({
      context: link.context,
      ...this.#shared.core.cleanAttributes(link.attributes, {
        attributeCountLimit: SPAN_LIMITS.attributePerLinkCountLimit,
        attributeValueLengthLimit: SPAN_LIMITS.attributeValueLengthLimit,
      }),
    });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#afterEnd() || status.code === STATUS_UNSET || this.status.code === STATUS_OK /* OK is final */)
      return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === STATUS_ERROR && typeof status.message === 'string') next.message = status.message;
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (!this.#afterEnd()) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception) {
      if (exception.code) attributes['exception.type'] = exception.code.toString();
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time);
    else this.#shared.api.diag.warn(`Failed to record an exception ${exception}`);
  }

  end(endTime?: TimeInput): void {
    if (this.#ended) {
      this.#shared.api.diag.error(
        `${this.name} ${this.#context.traceId}-${this.#context.spanId} - You can only call end() on a span once.`,
      );
      return;
    }
    this.endTime = this.#time(endTime);
    const duration = this.#shared.core.hrTimeDuration(this.startTime, this.endTime);
    if (duration[0] < 0) {
      this.endTime = [this.startTime[0], this.startTime[1]];
      this.#duration = [0, 0];
    } else {
      this.#duration = duration;
    }
    const processors = this.#shared.processors;
    for (const processor of processors) processor.onEnding?.(this);
    this.#ended = true;
    for (const processor of processors) processor.onEnd(this);
  }

  /** A time given by the app as the SDK reads it; none means now, measured from the span's start. */
  #time(input: TimeInput | undefined): HrTime {
    const core = this.#shared.core;
    if (typeof input === 'number') {
      // Small numbers are performance.now() readings, large ones epoch milliseconds.
      return input <= performance.now() ? plusMillis(ORIGIN_SECONDS, ORIGIN_NANOS, input) : core.millisToHrTime(input);
    }
    if (input instanceof Date) return core.millisToHrTime(input.getTime());
    if (input !== undefined && core.isTimeInputHrTime(input)) return input as HrTime;
    return plusMillis(this.startTime[0], this.startTime[1], performance.now() - this.#started);
  }

  #afterEnd(): boolean {
    if (this.#ended) {
      this.#shared.api.diag.warn(
        `Cannot execute the operation on ended Span {traceId: ${this.#context.traceId}, spanId: ${this.#context.spanId}}`,
      );
    }
    return this.#ended;
  }
}
