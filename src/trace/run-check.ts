// One trace check:
//   fresh correlation ID -> send (HTTP or message) -> poll the span source until
//   every hop is seen and no new span arrived, or `wait` ran out -> judge the
//   rules (request, one trace, hops, order, correlation, errors, logs) -> result
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveRef } from '../core/discovery/resolve-ref.js';
import { formatDuration } from '../core/duration.js';
import type { TargetSecurity } from '../core/security/index.js';
import type { TraceCheckResult, TraceRuleVerdict } from '../core/trace-results.js';
import type { SpanRecord } from '../evidence/types.js';
import type { LoadedTraceCheck } from './load.js';
import { judgeCorrelation } from './rule-correlation.js';
import { judgeErrors } from './rule-errors.js';
import { judgeHop, matchHop } from './rule-hop.js';
import { judgeLogs } from './rule-logs.js';
import { judgeOneTrace } from './rule-one-trace.js';
import { judgeOrder } from './rule-order.js';
import { judgeTls } from './rule-tls.js';
import type { TraceCheck } from './schema.js';
import { type SendOutcome, sendWithCorrelation } from './send.js';
import { type SpanFinder, waitMs } from './span-finder.js';
import { buildTraceView, possessive, type TraceView } from './trace-view.js';

import { toTreeRows } from './tree.js';

/** Options for {@link runTraceCheck}. */
export interface RunTraceCheckOptions {
  readonly finder: SpanFinder;
  /** Folder relative log globs resolve from. */
  readonly cwd: string;
  /** Time between two reads of the span source, ms. Default 250. */
  readonly pollMs?: number;
  /** Correlation ID to send; default a fresh `msav-<16 hex>`. */
  readonly correlationId?: string;
  readonly signal?: AbortSignal;
  /** TLS and credentials for the HTTP request the check sends. */
  readonly security?: TargetSecurity;
}

/** The services a check names: the root and both ends of every hop. */
export function servicesOf(check: LoadedTraceCheck['check']): string[] {
  return [...new Set([check.expect.root, ...check.expect.hops.flatMap((h) => [h.from, h.to])])];
}

/**
 * Runs one check and judges it. A rule that fails is data (`passed: false`);
 * a throw means the target or the span source could not be reached.
 */
export async function runTraceCheck(
  loaded: LoadedTraceCheck,
  options: RunTraceCheckOptions,
): Promise<TraceCheckResult> {
  const { check } = loaded;
  const runId = randomBytes(8).toString('hex');
  const correlationId = options.correlationId ?? `msav-${runId}`;
  const startedAt = Date.now();
  const sent = await sendWithCorrelation(await resolveSend(check.send), correlationId, options.security);
  const services = servicesOf(check);
  const pollMs = options.pollMs ?? 250;
  const deadline = sent.answeredAt + waitMs(check);
  // Spans may start a little before `sentAt` on another host's clock; look a second around.
  const window = (): { from: number; to: number } => ({ from: sent.sentAt - 1000, to: Date.now() + 1000 });

  let related: SpanRecord[] = [];
  let previousCount = -1;
  let quietSince = Date.now();
  for (;;) {
    options.signal?.throwIfAborted();
    related = await options.finder.related(correlationId, window());
    const view = buildTraceView(correlationId, check.expect.root, related);
    const complete =
      view.traceId !== null &&
      view.main.some((s) => s.parentSpanId === undefined && s.service === check.expect.root) &&
      check.expect.hops.every((h) => matchHop(view, h) !== undefined) &&
      services.every((s) => related.some((r) => r.service === s));
    if (related.length !== previousCount) quietSince = Date.now();
    // Complete and quiet (nothing new since the last read): late spans are unlikely to change the verdict.
    // A call whose callee has not reported yet (a client span without a child: the callee exports later,
    // or is not instrumented) waits for a longer quiet spell, so that the rules see the callee's span.
    const quietFor = previousCount === related.length ? Date.now() - quietSince : -1;
    if (complete && quietFor >= 0 && (quietFor >= DANGLING_QUIET_MS || !hasDanglingCall(related))) break;
    previousCount = related.length;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }

  let view = buildTraceView(correlationId, check.expect.root, related);
  const matches = check.expect.hops.map((h) => matchHop(view, h));
  if (matches.some((m) => m === undefined) || view.traceId === null) {
    // Explain missing hops from the other spans of the window (publishes in another trace, silent services).
    view = buildTraceView(correlationId, check.expect.root, related, await options.finder.around(services, window()));
  }
  const verdicts: TraceRuleVerdict[] = [requestVerdict(check, sent)];
  verdicts.push(judgeOneTrace(view, check.expect.hops));
  verdicts.push(rootVerdict(view));
  for (const [i, hop] of check.expect.hops.entries()) verdicts.push(judgeHop(view, hop, matches[i]));
  if (check.expect.ordered && check.expect.hops.length > 1) verdicts.push(judgeOrder(check.expect.hops, matches));
  if (check.expect.correlation) verdicts.push(judgeCorrelation(view));
  verdicts.push(judgeErrors(view, check.expect.allowErrors));
  if (check.expect.tls === 'required') verdicts.push(judgeTls(view));
  if (check.expect.logs)
    verdicts.push(await judgeLogs(check.expect.logs.files, view.traceId, correlationId, options.cwd));

  const endedAt = Date.now();
  const lastEnd = related.reduce((max, s) => Math.max(max, s.endTime), Number.NEGATIVE_INFINITY);
  return {
    kind: 'trace',
    runId,
    check: check.name,
    file: loaded.display,
    startedAt,
    endedAt,
    passed: verdicts.every((v) => v.passed),
    correlationId,
    traceId: view.traceId,
    traceUrl: view.traceId ? options.finder.traceUrl(view.traceId) : null,
    source: options.finder.name,
    verdicts,
    spans: toTreeRows(rowsToShow(view)),
    neverReported: services.filter((s) => !related.some((r) => r.service === s)),
    lastSpanToVerdictMs: Number.isFinite(lastEnd) ? Math.round(endedAt - lastEnd) : null,
  };
}

/** How long the spans must stay unchanged before judging while a call's callee has not reported, ms. */
const DANGLING_QUIET_MS = 2000;

/** True when some client span has no child span among `spans` (its callee's span is late or never comes). */
function hasDanglingCall(spans: readonly SpanRecord[]): boolean {
  const parents = new Set(spans.map((s) => s.parentSpanId));
  return spans.some((s) => s.kind === 'client' && !parents.has(s.spanId));
}

/** The main trace and every other trace carrying the correlation ID (their roots show the break). */
function rowsToShow(view: TraceView): SpanRecord[] {
  return [...view.related];
}

function requestVerdict(check: LoadedTraceCheck['check'], sent: SendOutcome): TraceRuleVerdict {
  const took = sent.answeredAt - sent.sentAt;
  if (sent.status === null) {
    return {
      rule: 'request',
      name: 'message published',
      passed: true,
      observed: took,
      bound: 'confirmed',
      unit: 'ms',
      message: `the broker confirmed the message in ${formatDuration(took)}`,
    };
  }
  const expected = check.send.http?.expectStatus;
  const passed = expected === undefined ? sent.status >= 200 && sent.status < 300 : sent.status === expected;
  return {
    rule: 'request',
    name: `${check.send.http!.method} ${new URL(check.send.http!.url, 'http://service').pathname}`,
    passed,
    observed: sent.status,
    bound: expected === undefined ? '2xx' : String(expected),
    unit: 'status',
    message: passed
      ? `answered ${sent.status} in ${formatDuration(took)}`
      : `answered ${sent.status}, expected ${expected ?? '2xx'}`,
  };
}

function rootVerdict(view: TraceView): TraceRuleVerdict {
  const root = view.main.find((s) => s.parentSpanId === undefined);
  const passed = root !== undefined && root.service === view.root;
  return {
    rule: 'root',
    name: `root is ${view.root}`,
    passed,
    observed: null,
    bound: view.root,
    unit: '',
    message: root
      ? passed
        ? `the trace starts at ${possessive(root.service)} ${root.kind} span '${root.name}'`
        : `the trace starts at ${possessive(root.service)} ${root.kind} span, not at ${view.root}`
      : view.main.length
        ? `the trace has no root span (its parent never reported)`
        : `${view.root} reported no span for this request`,
  };
}

/** The send with `http.url` made absolute from its `service` reference, resolved now. */
async function resolveSend(send: TraceCheck['send']): Promise<TraceCheck['send']> {
  const http = send.http;
  if (!http?.service) return send;
  const { url } = await resolveRef(http.service, 'send.http.service');
  return { ...send, http: { ...http, url: `${url}${http.url}` } };
}
