import type { SpanContext } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { RecentRequests } from '../../src/instrument/propagation/recent-requests.ts';

const ctx = (n: number): SpanContext => ({
  traceId: n.toString(16).padStart(32, '0'),
  spanId: n.toString(16).padStart(16, '0'),
  traceFlags: 1,
});

describe('RecentRequests (outbox parenting)', () => {
  it('returns the newest server span for a correlation id, within five minutes', () => {
    const recent = new RecentRequests();
    recent.remember('a', ctx(1), 0);
    recent.remember('a', ctx(2), 10);
    expect(recent.lookup('a', 20)?.spanId).toBe(ctx(2).spanId);
    expect(recent.lookup('a', 10 + 5 * 60_000 + 1)).toBeUndefined();
    expect(recent.lookup('b', 20)).toBeUndefined();
  });

  it('keeps at most 1000 entries, dropping the oldest', () => {
    const recent = new RecentRequests();
    for (let i = 1; i <= 1500; i++) recent.remember(`id-${i}`, ctx(i), 0);
    expect(recent.size).toBe(1000);
    expect(recent.lookup('id-1', 0)).toBeUndefined();
    expect(recent.lookup('id-1500', 0)?.spanId).toBe(ctx(1500).spanId);
  });

  it('remembers nothing until activated (the preload activates it when amqplib is patched)', () => {
    const recent = new RecentRequests({ active: false });
    recent.remember('a', ctx(1), 0);
    expect(recent.lookup('a', 0)).toBeUndefined();
    recent.activate();
    recent.remember('a', ctx(2), 0);
    expect(recent.lookup('a', 0)?.spanId).toBe(ctx(2).spanId);
  });

  it('keeps the newest entry of an id that was remembered twice when its older slot is reused', () => {
    const recent = new RecentRequests();
    recent.remember('a', ctx(1), 0);
    for (let i = 2; i <= 999; i++) recent.remember(`id-${i}`, ctx(i), 0);
    recent.remember('a', ctx(1000), 0);
    recent.remember('b', ctx(1001), 0); // reuses the slot of the first 'a'
    expect(recent.lookup('a', 0)?.spanId).toBe(ctx(1000).spanId);
  });
});
