// The path rule, one verdict per hop: a caller span of `from` (client, or
// producer for a broker hop) with a callee span of `to` (server, or consumer)
// as its child, in any trace of the request (a split trace is the one-trace
// rule's finding; the hops on either side of the split still hold). A missing hop is explained from what was
// seen instead: the callee starting a new trace, a publish outside the request's
// trace, or a service that never reported.
import { formatDuration, parseDuration } from '../core/duration.js';
import type { TraceRuleVerdict } from '../core/trace-results.js';
import type { SpanRecord } from '../evidence/types.js';
import { hopLabel, isBrokerHop } from './hop-label.js';
import type { Hop } from './schema.js';
import { correlationOf, describeSpan, possessive, spansOf, type TraceView } from './trace-view.js';

/** A hop found in the trace: the caller's and the callee's span. */
export interface MatchedHop {
  readonly caller: SpanRecord;
  readonly callee: SpanRecord;
}

/** Finds the hop among the request's spans, if present. */
export function matchHop(view: TraceView, hop: Hop): MatchedHop | undefined {
  const { callerKind, calleeKind } = kinds(hop);
  const callers = new Map(spansOf(view, hop.from, callerKind).map((s) => [s.spanId, s] as const));
  const callee = spansOf(view, hop.to, calleeKind)
    .filter((s) => s.parentSpanId !== undefined && callers.has(s.parentSpanId))
    .sort((a, b) => a.startTime - b.startTime)[0];
  return callee ? { caller: callers.get(callee.parentSpanId!)!, callee } : undefined;
}

/** Judges one hop; `match` is {@link matchHop}'s answer. */
export function judgeHop(view: TraceView, hop: Hop, match: MatchedHop | undefined): TraceRuleVerdict {
  const name = hopLabel(hop);
  const bound = hop.maxDuration ? `<= ${hop.maxDuration}` : 'present';
  if (match) {
    const took = match.callee.endTime - match.caller.startTime;
    const limit = hop.maxDuration ? parseDuration(hop.maxDuration) : undefined;
    const passed = limit === undefined || took <= limit;
    return {
      rule: 'hop',
      name,
      passed,
      observed: round(took),
      bound,
      unit: 'ms',
      message: passed
        ? `${describeSpan(match.callee)} is a child of ${describeSpan(match.caller)} (${formatDuration(round(took))})`
        : `${name}: took ${formatDuration(round(took))}, more than ${hop.maxDuration}`,
    };
  }
  return {
    rule: 'hop',
    name,
    passed: false,
    observed: null,
    bound,
    unit: 'ms',
    message: `${name}: ${explain(view, hop)}`,
  };
}

function explain(view: TraceView, hop: Hop): string {
  const { callerKind, calleeKind } = kinds(hop);
  const broker = isBrokerHop(hop);
  const orphan = view.related.find(
    (s) => s.service === hop.to && s.kind === calleeKind && s.parentSpanId === undefined && hop.to !== view.root,
  );
  if (orphan) {
    return broker
      ? `${possessive(hop.to)} ${calleeKind} span starts a new trace (no parent); traceparent was not propagated on the message`
      : `${possessive(hop.to)} ${calleeKind} span starts a new trace (no parent); traceparent was not propagated`;
  }
  const misplaced = view.related.find((s) => s.service === hop.to && s.kind === calleeKind);
  if (misplaced) {
    const parent = view.related.find((s) => s.spanId === misplaced.parentSpanId);
    return `${describeSpan(misplaced)} is in the trace, but its parent is ${parent ? describeSpan(parent) : `span ${misplaced.parentSpanId ?? '(none)'}`}, not a ${callerKind} span of ${hop.from}`;
  }
  const callers = view.related.filter((s) => s.service === hop.from && s.kind === callerKind);
  const reported = view.related.some((s) => s.service === hop.to);
  const seenInWindow = view.window.some((s) => s.service === hop.to);
  if (callers.length === 0) {
    if (broker) {
      const detached = view.window.find(
        (s) => s.service === hop.from && s.kind === 'producer' && correlationOf(s) !== view.correlationId,
      );
      if (detached) {
        return (
          `no producer span of ${hop.from} in the trace; ${hop.from} published in another trace (${detached.traceId.slice(0, 12)}…) ` +
          `whose spans lack this correlation.id: the message left without the correlation header`
        );
      }
      return `no producer span of ${hop.from} for this request (the message was not published in this request's trace)`;
    }
    return `no ${callerKind} span of ${hop.from} for this request (${hop.from} did not call ${hop.to}, or its client is not instrumented)`;
  }
  // The caller's span that nothing answered (a service may call several others, e.g. over gRPC and HTTP).
  const caller =
    callers.find((c) => !view.related.some((s) => s.parentSpanId === c.spanId && s.kind === calleeKind)) ?? callers[0]!;
  if (!reported) {
    return seenInWindow
      ? `${describeSpan(caller)} has no ${calleeKind} span of ${hop.to} under it; ${hop.to} reported spans, but none carry this request's trace or correlation.id`
      : `${describeSpan(caller)} has no ${calleeKind} span of ${hop.to} under it; ${hop.to} never reported a span (started without the preload, or exporting elsewhere)`;
  }
  return `${describeSpan(caller)} has no ${calleeKind} span of ${hop.to} under it`;
}

function kinds(hop: Hop): { callerKind: SpanRecord['kind']; calleeKind: SpanRecord['kind'] } {
  return isBrokerHop(hop)
    ? { callerKind: 'producer', calleeKind: 'consumer' }
    : { callerKind: 'client', calleeKind: 'server' };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
