import { ROOT_CONTEXT, type SpanContext, type TextMapGetter, type TextMapSetter, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { dropAppTraceHeaders } from '../../src/instrument/propagation/outbound-trace-headers.ts';
import { propagateRandomFlag } from '../../src/instrument/propagation/random-flag.ts';
import { W3CTraceContextLevel2 } from '../../src/instrument/propagation/trace-context.ts';

// W3C Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/), rule by rule.
// Carriers are what Node's http server gives: duplicate traceparent/tracestate
// fields arrive joined by ", "; other carriers (gRPC metadata) give arrays.
type Carrier = Record<string, string | string[]>;
const getter: TextMapGetter<Carrier> = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };
const setter: TextMapSetter<Record<string, string>> = {
  set: (c, k, v) => {
    c[k] = v;
  },
};
const p = new W3CTraceContextLevel2();
const A = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-aaaaaaaaaaaaaaaa-01';
const B = '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-bbbbbbbbbbbbbbbb-01';

function extract(carrier: Carrier): SpanContext | undefined {
  return trace.getSpanContext(p.extract(ROOT_CONTEXT, carrier, getter));
}

function inject(spanContext: SpanContext): Record<string, string> {
  const out: Record<string, string> = {};
  p.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), out, setter);
  return out;
}

describe('W3C Trace Context Level 2, §3.2 Traceparent Header', () => {
  it('continues one valid traceparent (control)', () => {
    expect(extract({ traceparent: A })).toMatchObject({
      traceId: 'a'.repeat(32),
      spanId: 'a'.repeat(16),
      traceFlags: 1,
      isRemote: true,
    });
    expect(extract({ traceparent: [A] })?.spanId).toBe('a'.repeat(16));
  });

  it('several traceparent fields are invalid: a new trace starts (§3.2, §4 Processing Model; test suite: test_traceparent_duplicated)', () => {
    expect(extract({ traceparent: `${A}, ${B}` })).toBeUndefined();
    expect(extract({ traceparent: `${A},${A}` })).toBeUndefined();
    expect(extract({ traceparent: [A, B] })).toBeUndefined();
    // tracestate is not parsed when traceparent failed (§3.3).
    expect(extract({ traceparent: [A, B], tracestate: 'k=v' })).toBeUndefined();
  });

  it('keeps malformed, all-zero, uppercase and version ff traceparents invalid (§3.2.2)', () => {
    for (const bad of [
      'garbage',
      `00-${'0'.repeat(32)}-${'a'.repeat(16)}-01`,
      `00-${'A'.repeat(32)}-${'a'.repeat(16)}-01`,
      `ff-${'a'.repeat(32)}-${'a'.repeat(16)}-01`,
      `${A}-extra`,
      '',
    ]) {
      expect(extract({ traceparent: bad }), bad).toBeUndefined();
    }
  });
});

describe('W3C Trace Context Level 2, §3.2.2.5 trace-flags', () => {
  it('keeps the random flag (0x02, §3.2.2.5.2) on extract and writes it back on inject', () => {
    const ctx = extract({ traceparent: A.replace(/01$/, '03') });
    expect(ctx?.traceFlags).toBe(3);
    expect(inject({ ...ctx!, spanId: 'c'.repeat(16) }).traceparent).toBe(`00-${'a'.repeat(32)}-${'c'.repeat(16)}-03`);
    expect(extract({ traceparent: A.replace(/01$/, '02') })?.traceFlags).toBe(2);
  });

  it('zeroes flags this version does not define and always writes two hex digits (§3.2.2.5.3 Other Flags)', () => {
    expect(extract({ traceparent: A.replace(/01$/, 'ff') })?.traceFlags).toBe(3);
    const out = inject({ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 0xff });
    expect(out.traceparent).toBe(`00-${'a'.repeat(32)}-${'c'.repeat(16)}-03`);
    expect(inject({ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 0 }).traceparent).toMatch(/-00$/);
  });

  it('child spans of a random-flagged parent carry the flag, recording or not, in the same trace only', () => {
    const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) });
    propagateRandomFlag(provider);
    const tracer = provider.getTracer('t');
    expect(provider.getTracer('t')).toBe(tracer);
    const sampledRandom = p.extract(ROOT_CONTEXT, { traceparent: A.replace(/01$/, '03') }, getter);
    const child = tracer.startSpan('c', {}, sampledRandom);
    expect(child.isRecording()).toBe(true);
    expect(child.spanContext().traceFlags).toBe(3);
    // startActiveSpan goes through the same path.
    tracer.startActiveSpan('a', {}, sampledRandom, (span) => {
      expect(span.spanContext().traceFlags).toBe(3);
      span.end();
    });
    // Not sampled but random (02): the non-recording child keeps the random bit.
    const unsampled = p.extract(ROOT_CONTEXT, { traceparent: A.replace(/01$/, '02') }, getter);
    const quiet = tracer.startSpan('q', {}, unsampled);
    expect(quiet.isRecording()).toBe(false);
    expect(quiet.spanContext().traceFlags).toBe(2);
    // A caller's trace without the flag stays without it: its id may not be random.
    expect(
      tracer.startSpan('n', {}, p.extract(ROOT_CONTEXT, { traceparent: A }, getter)).spanContext().traceFlags,
    ).toBe(1);
  });

  it('a span that starts a new trace sets the random flag: its id is ours, from the random generator', () => {
    const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) });
    propagateRandomFlag(provider);
    const tracer = provider.getTracer('t');
    expect(tracer.startSpan('fresh', {}, ROOT_CONTEXT).spanContext().traceFlags).toBe(3);
    const notRandom = p.extract(ROOT_CONTEXT, { traceparent: A }, getter);
    const root = tracer.startSpan('r', { root: true }, notRandom);
    expect(root.spanContext().traceId).not.toBe(A.split('-')[1]);
    expect(root.spanContext().traceFlags).toBe(3);
    // Not sampled: the bit still describes the id.
    const off = new TracerProvider({ sampler: new AlwaysOffSampler() });
    propagateRandomFlag(off);
    expect(off.getTracer('t').startSpan('q', {}, ROOT_CONTEXT).spanContext().traceFlags).toBe(2);
  });
});

describe('W3C Trace Context Level 2, §3.3 Tracestate Header', () => {
  const state = (carrier: Carrier) => extract({ traceparent: A, ...carrier })?.traceState?.serialize();

  it('keeps a valid list, combining several fields and ignoring empty members (§3.3 tracestate Header Field Values)', () => {
    expect(state({ tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' })).toBe(
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
    expect(state({ tracestate: ['a=1', 'b=2'] })).toBe('a=1,b=2');
    expect(state({ tracestate: 'a=1, ,b=2' })).toBe('a=1,b=2');
    expect(state({ tracestate: 'tenant@vendor=x, 1a=y' })).toBe('tenant@vendor=x,1a=y');
    expect(state({ tracestate: '' })).toBeUndefined();
  });

  it('discards the whole list when one member is invalid, not only that member (§3.3 list, Key, Value)', () => {
    for (const bad of ['a=1,B=2', 'a=1,noequals', 'a=1,=v', 'a=1,b=x=y', 'a=1,b=', 'a=1,b=\u00e9', 'a=1,_k=2']) {
      expect(state({ tracestate: bad }), bad).toBeUndefined();
    }
  });

  it('discards the whole list when a key is longer than 256 characters (§3.3 Key)', () => {
    expect(state({ tracestate: `${'k'.repeat(256)}=v,a=1` })).toBe(`${'k'.repeat(256)}=v,a=1`);
    expect(state({ tracestate: `${'k'.repeat(257)}=v,a=1` })).toBeUndefined();
    expect(state({ tracestate: `a=${'v'.repeat(257)}` })).toBeUndefined();
  });

  it('discards the whole list when it has more than 32 members (§3.3: "a maximum of 32 list-members")', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');
    expect(state({ tracestate: members(32) })?.split(',')).toHaveLength(32);
    expect(state({ tracestate: members(33) })).toBeUndefined();
  });

  it('discards the whole list when a key repeats (§3.3 Combined Header Value: one entry per key)', () => {
    expect(state({ tracestate: ['a=1', 'a=2'] })).toBeUndefined();
  });

  it('a list over 512 characters loses whole entries from the end (§3.3 tracestate Limits); set() moves a key left', () => {
    const long = Array.from({ length: 5 }, (_, i) => `k${i}=${'v'.repeat(120)}`).join(',');
    expect(
      state({ tracestate: long })
        ?.split(',')
        .map((m) => m.slice(0, 2)),
    ).toEqual(['k0', 'k1', 'k2', 'k3']);
    const ts = extract({ traceparent: A, tracestate: 'a=1,b=2' })!.traceState!;
    expect(ts.set('b', '3').serialize()).toBe('b=3,a=1');
    expect(ts.set('B', '3')).toBe(ts);
    expect(ts.unset('a').serialize()).toBe('b=2');
    expect(ts.get('b')).toBe('2');
  });

  it('a discarded tracestate never affects the traceparent (§3.3)', () => {
    expect(extract({ traceparent: A, tracestate: 'BAD' })?.traceId).toBe('a'.repeat(32));
  });
});

describe('outbound fetch/undici requests carry one traceparent', () => {
  it('drops the app’s traceparent and tracestate before the instrumentation appends its own', () => {
    const request = { headers: ['TraceParent', A, 'x', '1', 'tracestate', 'k=v', 'accept', '*/*'] as unknown[] };
    dropAppTraceHeaders(request);
    expect(request.headers).toEqual(['x', '1', 'accept', '*/*']);
    const untouched = ['x', '1'];
    const same = { headers: untouched };
    dropAppTraceHeaders(same);
    expect(same.headers).toBe(untouched);
    const raw = { headers: `traceparent: ${A}\r\nx: 1\r\n` as string | unknown[] };
    dropAppTraceHeaders(raw);
    expect(raw.headers).toBe('x: 1\r\n');
  });
});
