// OTLP/protobuf encoding of finished spans (ExportTraceServiceRequest), written
// straight from the SDK's ReadableSpan into a reusable buffer per resource and
// scope: no intermediate OTLP objects and no size pre-pass over the spans (only
// the request's few enclosing lengths are computed before it is written). Exporting is the largest
// per-span cost of the preload under load, and this encoder is what keeps it
// small (docs/benchmarks.md). Field numbers follow
// opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto; the
// output is checked against the OpenTelemetry serializer in
// test/unit/instrument-otlp-encode.test.ts.
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { RawIds } from '../http-server/server-span.js';

const HEX_VALUE: readonly number[] = (() => {
  const table = new Array<number>(128).fill(0);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[97 + i] = 10 + i;
    table[65 + i] = 10 + i;
  }
  return table;
})();

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

class Writer {
  buf: Buffer;
  pos = 0;

  /** A writer of `size` bytes to start with, or one that writes into `buf` (which must be large enough). */
  constructor(size = 256 * 1024, buf?: Buffer) {
    this.buf = buf ?? Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 127) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  string(field: number, s: string): void {
    this.tag(field, LEN);
    const length = s.length;
    if (length < 128) {
      // Short strings: copy ASCII bytes in a loop (no call into C++); other text falls through.
      this.ensure(1 + 3 * length);
      const buf = this.buf;
      const at = this.pos + 1;
      let i = 0;
      while (i < length) {
        const c = s.charCodeAt(i);
        if (c > 127) break;
        buf[at + i] = c;
        i++;
      }
      if (i === length) {
        buf[this.pos] = length;
        this.pos = at + length;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** A span or trace id: lower-case hex, validated by the SDK, written as raw bytes. */
  hex(field: number, hex: string): void {
    const n = hex.length >> 1;
    this.tag(field, LEN);
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    for (let i = 0; i < n; i++) {
      const hi = HEX_VALUE[hex.charCodeAt(2 * i)] ?? 0;
      const lo = HEX_VALUE[hex.charCodeAt(2 * i + 1)] ?? 0;
      buf[this.pos++] = (hi << 4) | lo;
    }
  }

  /** A bytes field copied from `source[offset, offset + n)` (ids kept as bytes). */
  bytes(field: number, source: Uint8Array, offset: number, n: number): void {
    this.tag(field, LEN);
    this.ensure(n + 1);
    const buf = this.buf;
    buf[this.pos++] = n;
    for (let i = 0; i < n; i++) buf[this.pos + i] = source[offset + i]!;
    this.pos += n;
  }

  /** Bytes encoded once (attribute keys, envelope pieces, a scope's spans), copied as they are. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n <= 32) {
      // Keys: a loop costs less than a call into the builtin for a few bytes.
      const buf = this.buf;
      const at = this.pos;
      for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
    } else {
      // Buffer's copy is a plain memmove; TypedArray#set into shared memory copies byte by byte.
      Buffer.prototype.copy.call(bytes, this.buf, this.pos, 0, n);
    }
    this.pos += n;
  }

  /**
   * A KeyValue with a string value (`key` from {@link encodedKey}) when every
   * length fits one byte and the value is ASCII, as most attributes are;
   * false, with nothing written, otherwise.
   */
  shortString(field: number, key: Uint8Array, value: string): boolean {
    const k = key.length;
    const n = value.length;
    // KeyValue content: key, AnyValue tag and length, string tag and length, the value.
    const content = k + 4 + n;
    if (content > 127) return false;
    this.ensure(content + 2);
    const buf = this.buf;
    const start = this.pos;
    let at = start + 2;
    for (let i = 0; i < k; i++) buf[at + i] = key[i]!;
    at += k;
    buf[at] = 0x12; // AnyValue, field 2 of KeyValue
    buf[at + 1] = n + 2;
    buf[at + 2] = 0x0a; // string_value, field 1 of AnyValue
    buf[at + 3] = n;
    at += 4;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 127) return false;
      buf[at + i] = c;
    }
    buf[start] = (field << 3) | LEN;
    buf[start + 1] = content;
    this.pos = at + n;
    return true;
  }

  double(field: number, value: number): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(value, this.pos);
  }

  fixed32(field: number, value: number): void {
    this.tag(field, FIXED32);
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(value >>> 0, this.pos);
  }

  /** Nanoseconds since the epoch of an HrTime, as fixed64, without losing precision. */
  time(field: number, [seconds, nanos]: HrTime): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    // seconds * 1e9 + nanos exceeds 2^53: split seconds so that every product stays exact.
    const sLow = seconds % 65536;
    const x = ((seconds - sLow) / 65536) * 1e9; // times 2^16 below
    const xLow = x % 65536;
    const high = (x - xLow) / 65536; // x * 2^16 = high * 2^32 + xLow * 2^16
    const low = xLow * 65536 + sLow * 1e9 + nanos;
    const carry = Math.floor(low / 4294967296);
    const lo = low - carry * 4294967296;
    const hi = high + carry;
    const buf = this.buf;
    const at = this.pos;
    buf[at] = lo;
    buf[at + 1] = lo >>> 8;
    buf[at + 2] = lo >>> 16;
    buf[at + 3] = lo >>> 24;
    buf[at + 4] = hi;
    buf[at + 5] = hi >>> 8;
    buf[at + 6] = hi >>> 16;
    buf[at + 7] = hi >>> 24;
    this.pos = at + 8;
  }

  int(field: number, value: number): void {
    this.tag(field, VARINT);
    if (value >= 0) {
      this.varint(value);
      return;
    }
    // int64 two's complement: ten bytes.
    this.ensure(10);
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /**
   * Starts a length-delimited field. `room` bytes are kept for its length: 1 for
   * messages that are almost always under 128 bytes, 2 for spans, 5 for the
   * large containers; a length that needs more or fewer bytes moves the content.
   */
  begin(field: number, room = 1): number {
    this.tag(field, LEN);
    this.ensure(room);
    const start = this.pos;
    this.pos += room;
    return start;
  }

  end(start: number, room = 1): void {
    const from = start + room;
    const length = this.pos - from;
    if (room === 1 && length < 128) {
      this.buf[start] = length;
      return;
    }
    let size = 1;
    for (let v = length; v > 127; v = Math.floor(v / 128)) size++;
    if (size !== room) {
      this.ensure(size - room);
      this.buf.copyWithin(start + size, from, this.pos);
      this.pos += size - room;
    }
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }
}

function anyValue(w: Writer, field: number, value: AttributeValue | null | undefined): void {
  const start = w.begin(field);
  switch (typeof value) {
    case 'string':
      w.string(1, value);
      break;
    case 'boolean':
      w.tag(2, VARINT);
      w.varint(value ? 1 : 0);
      break;
    case 'number':
      if (Number.isSafeInteger(value)) w.int(3, value);
      else w.double(4, value);
      break;
    default:
      if (Array.isArray(value)) {
        const array = w.begin(5);
        for (const item of value) anyValue(w, 1, item);
        w.end(array);
      }
  }
  w.end(start);
}

// Attribute keys repeat on every span: each is encoded once (tag, length, bytes of KeyValue.key).
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, Uint8Array>();
const keyWriter = new Writer(256);

function encodedKey(key: string): Uint8Array {
  let bytes = keyCache.get(key);
  if (bytes === undefined) {
    keyWriter.pos = 0;
    keyWriter.string(1, key);
    bytes = Uint8Array.prototype.slice.call(keyWriter.buf, 0, keyWriter.pos);
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, bytes);
  }
  return bytes;
}

function attributes(w: Writer, field: number, attrs: Attributes): void {
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    const bytes = encodedKey(key);
    if (typeof value === 'string' && w.shortString(field, bytes, value)) continue;
    const kv = w.begin(field);
    w.raw(bytes);
    anyValue(w, 2, value);
    w.end(kv);
  }
}

function span(w: Writer, s: ReadableSpan): void {
  const start = w.begin(2, 2);
  const ctx = s.spanContext();
  // Server spans keep their generated ids as bytes (server-span.ts): no hex to parse back.
  const raw = (s as { rawIds?: RawIds }).rawIds;
  if (raw?.trace) w.bytes(1, raw.pool, raw.at, 16);
  else w.hex(1, ctx.traceId);
  if (raw) w.bytes(2, raw.pool, raw.at + 16, 8);
  else w.hex(2, ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) w.string(3, traceState);
  const parent = s.parentSpanContext;
  if (parent?.spanId) w.hex(4, parent.spanId);
  w.string(5, s.name);
  w.tag(6, VARINT);
  w.varint(s.kind + 1);
  w.time(7, s.startTime);
  w.time(8, s.endTime);
  attributes(w, 9, s.attributes);
  if (s.droppedAttributesCount > 0) {
    w.tag(10, VARINT);
    w.varint(s.droppedAttributesCount);
  }
  for (const event of s.events) {
    const e = w.begin(11);
    w.time(1, event.time);
    w.string(2, event.name);
    if (event.attributes) attributes(w, 3, event.attributes);
    if (event.droppedAttributesCount) {
      w.tag(4, VARINT);
      w.varint(event.droppedAttributesCount);
    }
    w.end(e);
  }
  if (s.droppedEventsCount > 0) {
    w.tag(12, VARINT);
    w.varint(s.droppedEventsCount);
  }
  for (const link of s.links) {
    const l = w.begin(13);
    w.hex(1, link.context.traceId);
    w.hex(2, link.context.spanId);
    const linkState = link.context.traceState?.serialize();
    if (linkState) w.string(3, linkState);
    if (link.attributes) attributes(w, 4, link.attributes);
    if (link.droppedAttributesCount) {
      w.tag(5, VARINT);
      w.varint(link.droppedAttributesCount);
    }
    w.fixed32(6, (link.context.traceFlags & 0xff) | 0x100 | (link.context.isRemote ? 0x200 : 0));
    w.end(l);
  }
  if (s.droppedLinksCount > 0) {
    w.tag(14, VARINT);
    w.varint(s.droppedLinksCount);
  }
  const status = w.begin(15);
  if (s.status.message) w.string(2, s.status.message);
  if (s.status.code) {
    w.tag(3, VARINT);
    w.varint(s.status.code);
  }
  w.end(status);
  w.fixed32(16, (ctx.traceFlags & 0xff) | 0x100 | (parent?.isRemote ? 0x200 : 0));
  w.end(start, 2);
}

/** Bytes of a tag and a varint length: the head of a length-delimited field of `length` bytes (field < 16). */
function headSize(length: number): number {
  let size = 2;
  for (let v = length; v > 127; v = Math.floor(v / 128)) size++;
  return size;
}

/** Encodes one piece of a request's envelope with `write`, as bytes of its own (computed once per resource or scope). */
function envelopePiece(write: (w: Writer) => void): Uint8Array {
  pieceWriter.pos = 0;
  write(pieceWriter);
  return Uint8Array.prototype.slice.call(pieceWriter.buf, 0, pieceWriter.pos);
}

// Not keyWriter: encoding a resource's attributes fills the key cache through it.
const pieceWriter = new Writer(1024);

/** A resource's parts of a ResourceSpans message: its Resource field (1) and its schema URL field (3). */
interface ResourceParts {
  readonly head: Uint8Array;
  readonly tail: Uint8Array;
  /** False while the resource still waited for asynchronous attributes: encoded again at the next take. */
  readonly settled: boolean;
}

/** Spans of one resource and scope, and their parts of a ScopeSpans message. */
interface Target {
  readonly resource: ReadableSpan['resource'];
  readonly scope: ReadableSpan['instrumentationScope'];
  readonly w: Writer;
  /** The InstrumentationScope field (1). */
  readonly head: Uint8Array;
  /** The schema URL field (3), or nothing. */
  readonly tail: Uint8Array;
}

function resourceParts(resource: ReadableSpan['resource']): ResourceParts {
  return {
    settled: resource.asyncAttributesPending !== true,
    head: envelopePiece((w) => {
      const r = w.begin(1);
      attributes(w, 1, resource.attributes);
      w.end(r);
    }),
    tail: envelopePiece((w) => {
      if (resource.schemaUrl) w.string(3, resource.schemaUrl);
    }),
  };
}

/** The spans of one resource, by scope. */
interface ResourceGroup {
  parts: ResourceParts;
  readonly scopes: Map<string, Target>;
}

function scopeKey(scope: ReadableSpan['instrumentationScope']): string {
  return `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`;
}

/**
 * Spans encoded one at a time, grouped by resource and scope, and taken out as
 * one request. A span is written when it is added, so nothing keeps it alive
 * until the batch is sent.
 */
export class SpanBatch {
  readonly #groups = new Map<ReadableSpan['resource'], ResourceGroup>();
  /** Targets by scope object: tracers keep theirs, so spans of one tracer find theirs without building a key. */
  readonly #byScope = new Map<object, Target>();
  #last: Target | undefined;
  /** Spans added since the last take. */
  count = 0;
  readonly #sharedMemory: boolean;

  /**
   * With `sharedMemory`, each request taken is a view of a SharedArrayBuffer:
   * posting it to a worker thread copies nothing, and this thread can still
   * read it after the worker stopped.
   */
  constructor(options: { readonly sharedMemory?: boolean } = {}) {
    this.#sharedMemory = options.sharedMemory === true;
  }

  add(s: ReadableSpan): void {
    let target = this.#last;
    if (target === undefined || target.scope !== s.instrumentationScope || target.resource !== s.resource) {
      target = this.#byScope.get(s.instrumentationScope);
      if (target === undefined || target.resource !== s.resource) {
        target = this.#target(s.resource, s.instrumentationScope);
        if (this.#byScope.size < 1024) this.#byScope.set(s.instrumentationScope, target);
      }
      this.#last = target;
    }
    span(target.w, s);
    this.count++;
  }

  /**
   * The ExportTraceServiceRequest of every span added since the last take
   * (empty when none), in a buffer of its own: the writers are reused by the
   * next batch while this one may still be in flight. Lengths are computed
   * before anything is written, so the spans' bytes are copied once, straight
   * into their place, and never moved to fit a length.
   */
  take(): Uint8Array {
    const lengths: number[] = [];
    let total = 0;
    // Where the first scope's spans land, to align them with their source (see below).
    let first: { at: number; source: Writer } | undefined;
    for (const [resource, group] of this.#groups) {
      if (!group.parts.settled) group.parts = resourceParts(resource);
      const length = this.#resourceLength(group);
      lengths.push(length);
      if (length === 0) continue;
      if (first === undefined) {
        const target = [...group.scopes.values()].find((t) => t.w.pos > 0)!;
        const scopeSpans = target.head.length + target.w.pos + target.tail.length;
        const at = total + headSize(length) + group.parts.head.length + headSize(scopeSpans) + target.head.length;
        first = { at, source: target.w };
      }
      total += headSize(length) + length;
    }
    // Shared memory is copied byte by byte unless source and destination have the same
    // alignment, and word by word (about 5 times faster) when they do: the request starts
    // `skip` bytes into its memory so that the first scope's spans, most of it, line up.
    const skip = first === undefined ? 0 : (((first.source.buf.byteOffset - first.at) % 8) + 8) % 8;
    const memory = this.#sharedMemory ? new SharedArrayBuffer(skip + total) : new ArrayBuffer(skip + total);
    const out = new Writer(0, Buffer.from(memory, skip, total));
    let i = 0;
    for (const { parts, scopes } of this.#groups.values()) {
      const length = lengths[i++]!;
      if (length === 0) continue;
      out.tag(1, LEN);
      out.varint(length);
      out.raw(parts.head);
      for (const target of scopes.values()) {
        const w = target.w;
        if (w.pos === 0) continue;
        out.tag(2, LEN);
        out.varint(target.head.length + w.pos + target.tail.length);
        out.raw(target.head);
        out.raw(w.buf.subarray(0, w.pos));
        out.raw(target.tail);
        w.pos = 0;
      }
      out.raw(parts.tail);
    }
    this.count = 0;
    // Any other size means the lengths computed above were wrong (and a longer request went to a grown buffer).
    if (out.pos !== total) throw new Error(`request of ${out.pos} bytes where ${total} were computed`);
    return new Uint8Array(memory, skip, total);
  }

  /** Length of a resource's ResourceSpans message (0 when none of its scopes holds a span). */
  #resourceLength({ parts, scopes }: ResourceGroup): number {
    let length = 0;
    for (const { head, tail, w } of scopes.values()) {
      if (w.pos === 0) continue;
      const scopeSpans = head.length + w.pos + tail.length;
      length += headSize(scopeSpans) + scopeSpans;
    }
    return length === 0 ? 0 : length + parts.head.length + parts.tail.length;
  }

  #target(resource: ReadableSpan['resource'], scope: ReadableSpan['instrumentationScope']): Target {
    let group = this.#groups.get(resource);
    if (group === undefined) {
      group = { parts: resourceParts(resource), scopes: new Map() };
      this.#groups.set(resource, group);
    }
    const key = scopeKey(scope);
    let target = group.scopes.get(key);
    if (target === undefined) {
      target = {
        resource,
        scope,
        w: new Writer(16 * 1024),
        head: envelopePiece((w) => {
          const sc = w.begin(1);
          w.string(1, scope.name);
          if (scope.version) w.string(2, scope.version);
          w.end(sc);
        }),
        tail: envelopePiece((w) => {
          if (scope.schemaUrl) w.string(3, scope.schemaUrl);
        }),
      };
      group.scopes.set(key, target);
    }
    // Same scope content from another object (a second tracer of the same name): same group.
    return target.scope === scope ? target : { ...target, scope };
  }
}

/** Encodes `spans` as one OTLP ExportTraceServiceRequest (grouped by resource, then scope). */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  // A fresh batch: groups come out in the order of these spans, as OpenTelemetry's serializer orders them.
  const batch = new SpanBatch();
  for (const s of spans) batch.add(s);
  return batch.take();
}
