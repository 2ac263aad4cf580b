// Helpers shared by the expectations: which samples count, which calls reached
// the dependency, how numbers are written in verdict messages.

import { z } from 'zod';
import { formatDuration, parseDuration } from '../../core/duration.js';
import type { ExpectationVerdict } from '../../core/results.js';
import type { SpanRecord } from '../../evidence/types.js';
import type { RequestSample } from '../load/types.js';
import type { PhaseEvidence } from './types.js';

export { formatDuration as ms, parseDuration };

/** Display name of the verdict; every expectation accepts it. */
export const nameParam = z.string().min(1).max(120).optional();

/** Selects requests by `/path` prefix or `METHOD /path` prefix, e.g. `POST /api/orders`. */
export const requestParam = z
  .string()
  .regex(/^((GET|POST|PUT|DELETE) )?\/\S*$/, { message: 'expected a path such as /api/orders or "POST /api/orders"' })
  .optional();

/** An error ratio: a number in 0..1 or a percentage string such as `1%` or `0.5%`. */
export const ratioParam = z.union([
  z.number().min(0).max(1),
  z.string().regex(/^\d+(\.\d+)?%$/, { message: 'expected a ratio such as 0.01 or a percentage such as 1%' }),
]);

/** A ratio param as a number in 0..1. */
export function toRatio(v: number | string): number {
  return typeof v === 'number' ? v : Math.min(1, Number(v.slice(0, -1)) / 100);
}

/** Writes a ratio as a percentage with up to 2 decimals. */
export function pct(r: number): string {
  return `${Number((r * 100).toFixed(2))}%`;
}

/** A transport error, client timeout, drop, or 5xx. With `include4xx`, 4xx too. */
export function isError(s: RequestSample, include4xx = false): boolean {
  return s.status === 0 || s.status >= 500 || (include4xx && s.status >= 400);
}

/** Samples of the phase matching `request` (all when absent). */
export function selectSamples(samples: readonly RequestSample[], request: string | undefined): RequestSample[] {
  if (!request) return samples.slice();
  const m = /^(?:(GET|POST|PUT|DELETE) )?(\/\S*)$/.exec(request);
  const method = m?.[1];
  const prefix = m?.[2] ?? request;
  return samples.filter((s) => (!method || s.method === method) && (s.path ?? '').startsWith(prefix));
}

/** Samples that were actually sent (not dropped by the generator's in-flight bound). */
export function sent(samples: readonly RequestSample[]): RequestSample[] {
  return samples.filter((s) => s.error !== 'dropped');
}

/** Epoch ms at which the sample completed. */
export function completedAt(s: RequestSample): number {
  return s.startedAt + s.serviceTimeMs;
}

/** Who calls what: the dependency edge an expectation is about. */
export interface EdgeParams {
  /** Name of the proxy (Toxiproxy/tap) between caller and dependency; keys `evidence.connections`. */
  proxy?: string | undefined;
  /** `service.name` of the caller, to pick its client spans. */
  caller?: string | undefined;
  /** Text identifying the dependency in client spans: host:port, URL part, peer.service or span name. */
  dependency?: string | undefined;
}

export const edgeShape = {
  proxy: z.string().min(1).optional(),
  caller: z.string().min(1).optional(),
  dependency: z.string().min(1).optional(),
};

function spanTarget(s: SpanRecord): string {
  const a = s.attributes;
  const host = a['server.address'] ?? a['net.peer.name'];
  const port = a['server.port'] ?? a['net.peer.port'];
  return [
    s.name,
    host !== undefined && port !== undefined ? `${String(host)}:${String(port)}` : String(host ?? ''),
    a['url.full'],
    a['http.url'],
    a['peer.service'],
  ]
    .filter((x) => x !== undefined)
    .join(' ');
}

/** Client spans of `caller` to `dependency` (each filter applies when given). */
export function clientSpans(spans: readonly SpanRecord[], edge: EdgeParams): SpanRecord[] {
  return spans.filter(
    (s) =>
      s.kind === 'client' &&
      (!edge.caller || s.service === edge.caller) &&
      (!edge.dependency || spanTarget(s).includes(edge.dependency)),
  );
}

/** Calls that reached the dependency: client spans when any match, else connection accept times of the proxy. */
export type CallEvidence =
  | { source: 'spans'; spans: SpanRecord[]; times: number[] }
  | { source: 'requests'; proxy: string; times: number[] }
  | { source: 'connections'; proxy: string; times: number[] }
  | { source: 'none'; why: string };

/** Picks the best call evidence of an edge: traces, then the tap's HTTP request counts, then its connection counts. */
export function dependencyCalls(evidence: PhaseEvidence, edge: EdgeParams): CallEvidence {
  const spans = clientSpans(evidence.spans, edge);
  if (spans.length > 0) return { source: 'spans', spans, times: spans.map((s) => s.startTime).sort((a, b) => a - b) };
  if (edge.proxy && evidence.calls?.[edge.proxy]) {
    return { source: 'requests', proxy: edge.proxy, times: evidence.calls[edge.proxy]!.slice().sort((a, b) => a - b) };
  }
  if (edge.proxy && evidence.connections[edge.proxy]) {
    return {
      source: 'connections',
      proxy: edge.proxy,
      times: evidence.connections[edge.proxy]!.slice().sort((a, b) => a - b),
    };
  }
  const who = [edge.caller && `caller ${edge.caller}`, edge.dependency && `dependency ${edge.dependency}`]
    .filter(Boolean)
    .join(', ');
  const why =
    `no client spans${who ? ` (${who})` : ''} in the phase and ` +
    (edge.proxy ? `no connection counts for proxy "${edge.proxy}"` : 'no proxy named to count connections');
  return { source: 'none', why };
}

/** Describes where call evidence came from, for messages. */
export function callSource(c: CallEvidence): string {
  if (c.source === 'spans') return 'client spans';
  if (c.source === 'connections') return `connections through proxy ${c.proxy}`;
  if (c.source === 'requests') return `HTTP requests through proxy ${c.proxy}`;
  return 'nothing';
}

/** Builds a verdict; `name` defaults to `type` plus its main bound. */
export function verdict(
  type: string,
  evidence: PhaseEvidence,
  v: {
    name?: string | undefined;
    passed: boolean;
    observed: number | null;
    bound: string;
    unit: string;
    message: string;
  },
): ExpectationVerdict {
  return {
    type,
    name: v.name ?? `${type} ${v.bound}`,
    phase: evidence.phase.name,
    passed: v.passed,
    observed: v.observed === null || Number.isNaN(v.observed) ? null : Number(v.observed.toFixed(3)),
    bound: v.bound,
    unit: v.unit,
    message: v.message,
  };
}

/** Verdict for "there was nothing to measure": always a failure, a check that cannot judge must not pass. */
export function nothingToJudge(
  type: string,
  evidence: PhaseEvidence,
  name: string | undefined,
  bound: string,
  unit: string,
  what: string,
): ExpectationVerdict {
  return verdict(type, evidence, {
    name,
    passed: false,
    observed: null,
    bound,
    unit,
    message: `${what} in phase ${evidence.phase.name}, so "${bound}" could not be judged.`,
  });
}
