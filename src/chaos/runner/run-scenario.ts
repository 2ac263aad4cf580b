import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MsaVerifyError } from '../../core/errors.js';
import { describeNetError } from '../../core/probe.js';
import type { ChaosRunResult, ExpectationVerdict, FaultWindow, PhaseResult } from '../../core/results.js';
import { JsonLinesTraceSource } from '../evidence/file-source.js';
import { OtlpReceiver } from '../evidence/otlp-receiver.js';
import type { TraceSource } from '../evidence/types.js';
import { k6Available, runK6 } from '../load/k6.js';
import { runLoad } from '../load/run-load.js';
import type { RequestSample } from '../load/types.js';
import { startTap } from '../tap/start-tap.js';
import { type Tap, tapCalls } from '../tap/types.js';
import { ToxiproxyClient } from '../toxiproxy/client.js';
import { cleanLeftovers } from '../toxiproxy/leftovers.js';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../toxiproxy/managed.js';
import { newRunId, toxicName } from '../toxiproxy/run-id.js';
import { ChaosSession } from '../toxiproxy/session.js';
import type { JudgeCatalog, PhaseEvidence } from './engine-contract.js';
import { checkEventually, EVENTUALLY_PHASE } from './eventually.js';
import { judgePhase } from './judge.js';
import { addOnPathVerdicts } from './on-path.js';
import type { PlannedPhase, RunPlan } from './plan.js';
import { ProgressWindow, type RunProgress } from './progress.js';
import { phaseResult, timeline } from './result.js';

/** Options for {@link runScenario}. */
export interface RunScenarioOptions {
  readonly catalog: JudgeCatalog;
  /** Journal folder (absolute or relative to `cwd`). */
  readonly journalDir: string;
  readonly cwd?: string;
  /** Aborting (Ctrl-C, SIGTERM) stops the load, rolls back, and rejects with `MSAV_INTERRUPTED`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RunProgress) => void;
  /** Notes for the user (leftovers cleaned, rollback fallbacks). */
  readonly onNote?: (text: string) => void;
  /** Start the detached watchdog. Default true. */
  readonly watchdog?: boolean;
  /** Run id; default a new one. */
  readonly runId?: string;
}

/**
 * Runs one planned scenario:
 *   leftovers -> Toxiproxy (url | managed) -> journal + watchdog -> taps + proxies -> probe target
 *   -> load across all phases, faults applied/healed at phase boundaries -> evidence per phase
 *   -> verdicts (registry) -> eventually checks -> rollback (always) -> ChaosRunResult
 * @throws MsaVerifyError exit 3 when Toxiproxy or the target is unreachable; `MSAV_INTERRUPTED` on abort.
 */
export async function runScenario(plan: RunPlan, options: RunScenarioOptions): Promise<ChaosRunResult> {
  const cwd = options.cwd ?? process.cwd();
  const runId = options.runId ?? newRunId();
  const s = plan.scenario;
  const note = options.onNote ?? (() => undefined);
  const journalDir = path.resolve(cwd, options.journalDir);
  const startedAt = Date.now();
  const progressBase = { runId, scenario: s.name };

  let managed: ManagedToxiproxy | undefined;
  let session: ChaosSession | undefined;
  let traces: TraceSource | undefined;
  const taps = new Map<string, Tap>();
  const load = new AbortController();
  const onAbort = (): void => load.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let ticker: NodeJS.Timeout | undefined;
  let rolledBack = false;

  try {
    for (const c of await cleanLeftovers(journalDir)) {
      note(
        `cleaned leftovers of run ${c.runId} (${c.scenario}) on ${c.toxiproxyUrl}: ${c.outcome.ok ? 'ok' : c.outcome.notes.join('; ')}`,
      );
    }
    if (s.load.k6) {
      const k6 = k6Available();
      if (!k6.available) throw new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `${plan.file}: load.k6: ${k6.reason}`);
      note(`load from k6 (${k6.version}): live progress shows phases only; samples arrive when k6 ends`);
    }
    let toxiproxyUrl = plan.toxiproxy.url ?? '';
    if (plan.toxiproxy.managed) {
      managed = await startManagedToxiproxy({
        cwd,
        ...(plan.toxiproxy.binary ? { binary: plan.toxiproxy.binary } : {}),
      });
      toxiproxyUrl = managed.url;
      note(`started a private Toxiproxy at ${managed.url} (${managed.binary})`);
    }
    // Reachability first (exit 3 with the URL), so that an absent Toxiproxy leaves no journal behind.
    await new ToxiproxyClient(toxiproxyUrl).version();
    session = await ChaosSession.open({
      runId,
      scenario: s.name,
      toxiproxyUrl,
      owned: managed !== undefined,
      ...(managed ? { serverPid: managed.pid } : {}),
      journalDir,
      ...(options.watchdog === false ? { watchdog: false } : {}),
    });
    throwIfAborted(options.signal);

    const proxyNames = new Map<string, string>();
    for (const p of s.proxies) {
      let upstream = p.upstream;
      if (p.tap) {
        const tap = await startTap(p.upstream);
        taps.set(p.name, tap);
        upstream = tap.listen;
      }
      proxyNames.set(p.name, await session.createProxy({ name: p.name, listen: p.listen, upstream }));
    }
    await probeTarget(s.load.target);
    if (s.traces?.otlp) {
      const receiver = new OtlpReceiver({ port: s.traces.otlp.port });
      const { endpoint } = await receiver.start();
      traces = receiver;
      note(`OTLP receiver at ${endpoint}`);
    } else if (s.traces?.file) {
      traces = new JsonLinesTraceSource(path.resolve(cwd, s.traces.file));
    }
    throwIfAborted(options.signal);

    // Load runs once across every phase, so that phase changes never pause it.
    const window = new ProgressWindow();
    const loadStartedAt = Date.now();
    let current: { name: string; kind: RunProgress['kind'] } = { name: 'setup', kind: 'setup' };
    const emit = (): void => {
      const elapsedMs = Date.now() - loadStartedAt;
      options.onProgress?.({
        ...progressBase,
        phase: current.name,
        kind: current.kind,
        elapsedMs,
        remainingMs: Math.max(0, plan.loadDurationMs - elapsedMs),
        ...window.stats(),
      });
    };
    ticker = setInterval(emit, 1000);
    const loadDone = s.load.k6
      ? runK6({
          script: path.resolve(cwd, path.dirname(plan.file), s.load.k6.script),
          env: {
            MSAV_TARGET: s.load.target,
            MSAV_RATE: String(s.load.rate),
            MSAV_DURATION_MS: String(plan.loadDurationMs),
            MSAV_RUN_ID: runId,
          },
          signal: load.signal,
        })
      : runLoad(
          {
            target: s.load.target,
            requests: s.load.requests.map((r) => ({
              method: r.method,
              path: r.path,
              ...(r.body !== undefined ? { body: r.body } : {}),
              ...(r.headers ? { headers: r.headers } : {}),
            })),
            ratePerSec: s.load.rate,
            durationMs: plan.loadDurationMs,
            timeoutMs: plan.timeoutMs,
            ...(s.load.maxInFlight !== undefined ? { maxInFlight: s.load.maxInFlight } : {}),
            headers: { ...s.load.headers, baggage: `msa_verify.run_id=${runId}`, 'x-msa-verify-run': runId },
          },
          { signal: load.signal, onSample: (sample) => window.add(sample) },
        );
    loadDone.catch(() => undefined);

    const faults: FaultWindow[] = [];
    const windows: { phase: PlannedPhase; startedAt: number; endedAt: number }[] = [];
    for (const phase of plan.phases) {
      const from = loadStartedAt + phase.offsetMs;
      const to = from + phase.durationMs;
      await sleepUntil(from, options.signal);
      current = { name: phase.spec.name, kind: phase.spec.kind };
      emit();
      const applied = await applyPhase(session, phase, proxyNames, taps, runId);
      await sleepUntil(to, options.signal);
      await healPhase(session, applied);
      const healedAt = Date.now();
      for (const f of applied.faults) faults.push({ ...f, endedAt: healedAt });
      windows.push({ phase, startedAt: from, endedAt: to });
    }
    current = { name: 'drain', kind: 'drain' };
    const samples = await loadDone;
    clearInterval(ticker);
    throwIfAborted(options.signal);

    if (traces) await sleep(1500); // let exporters flush their last batch
    let phases: PhaseResult[] = [];
    let lastFault: { from: number; to: number } | undefined;
    for (const w of windows) {
      const kind = w.phase.spec.kind;
      if (kind === 'fault' || kind === 'fail-first') lastFault = { from: w.startedAt, to: w.endedAt };
      const evidence: PhaseEvidence = {
        phase: { name: w.phase.spec.name, kind, startedAt: w.startedAt, endedAt: w.endedAt },
        samples: samples.filter((x) => x.intendedAt >= w.startedAt && x.intendedAt < w.endedAt),
        spans: traces ? await traces.spans({ from: w.startedAt, to: w.endedAt }) : [],
        connections: Object.fromEntries(
          [...taps].map(([name, tap]) => [name, tap.connections().filter((t) => t >= w.startedAt && t < w.endedAt)]),
        ),
        calls: Object.fromEntries(
          [...taps].map(([name, tap]) => [name, tapCalls(tap).filter((t) => t >= w.startedAt && t < w.endedAt)]),
        ),
        ...(lastFault && kind !== 'steady' ? { faultStartedAt: lastFault.from, faultEndedAt: lastFault.to } : {}),
      };
      phases.push(phaseResult(evidence, judgePhase(w.phase.spec, evidence, options.catalog)));
    }
    phases = addOnPathVerdicts(
      phases,
      faults,
      s.proxies.map((p) => ({
        name: p.name,
        listen: p.listen,
        upstream: p.upstream,
        connections: taps.get(p.name)?.connections().length,
      })),
    );
    if (s.eventually.length > 0) {
      const endedLoad = Date.now();
      const paths = (seq: number): string => s.load.requests[seq % s.load.requests.length]!.path;
      const verdicts: ExpectationVerdict[] = [];
      for (const e of s.eventually) {
        verdicts.push(
          await checkEventually(e, samples, new Map(samples.map((x) => [x.seq, paths(x.seq)])), options.signal),
        );
      }
      phases.push({
        name: EVENTUALLY_PHASE,
        kind: 'recovery',
        startedAt: endedLoad,
        endedAt: Date.now(),
        requests: 0,
        errors: 0,
        latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
        verdicts,
      });
    }
    throwIfAborted(options.signal);

    const outcome = await session.rollback();
    rolledBack = outcome.ok;
    if (!outcome.ok) note(`rollback incomplete: ${outcome.notes.join('; ')}`);
    const phaseOf = (at: number): string =>
      windows.find((w) => at >= w.startedAt && at < w.endedAt)?.phase.spec.name ?? 'drain';
    return {
      kind: 'chaos',
      runId,
      scenario: s.name,
      file: plan.file,
      startedAt,
      endedAt: Date.now(),
      passed: rolledBack && phases.every((p) => p.verdicts.every((v) => v.passed)),
      phases,
      faults,
      timeline: timeline(samples as RequestSample[], loadStartedAt, phaseOf),
      rolledBack,
    };
  } finally {
    if (ticker) clearInterval(ticker);
    load.abort();
    options.signal?.removeEventListener('abort', onAbort);
    if (session && !rolledBack) {
      const outcome = await session.rollback();
      if (!outcome.ok) note(`rollback incomplete (the watchdog keeps trying): ${outcome.notes.join('; ')}`);
    }
    // Bounded: a relay or receiver that will not close must not keep the run alive.
    await bounded(Promise.all([...taps.values()].map((t) => t.close())), 3000, 'close taps', note);
    if (traces) await bounded(traces.close(), 3000, 'close the trace source', note);
    if (managed) await bounded(managed.stop(), 5000, 'stop the managed Toxiproxy', note);
  }
}

async function bounded(work: Promise<unknown>, ms: number, what: string, note: (text: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout') note(`could not ${what} within ${ms}ms; continuing`);
  } catch (error) {
    note(`could not ${what}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

interface Applied {
  readonly toxics: { proxy: string; name: string }[];
  readonly disabled: string[];
  readonly faults: Omit<FaultWindow, 'endedAt'>[];
}

async function applyPhase(
  session: ChaosSession,
  phase: PlannedPhase,
  proxyNames: ReadonlyMap<string, string>,
  taps: ReadonlyMap<string, Tap>,
  runId: string,
): Promise<Applied> {
  const applied: Applied = { toxics: [], disabled: [], faults: [] };
  for (const [i, t] of phase.toxics.entries()) {
    const proxy = proxyNames.get(t.proxy)!;
    const name = toxicName(runId, phase.spec.name, i);
    await session.addToxic(proxy, name, t.toxic);
    applied.toxics.push({ proxy, name });
    applied.faults.push({ proxy: t.proxy, toxic: name, type: t.toxic.type, startedAt: Date.now() });
  }
  for (const p of phase.disable) {
    const proxy = proxyNames.get(p)!;
    await session.setEnabled(proxy, false);
    applied.disabled.push(proxy);
    applied.faults.push({ proxy: p, toxic: 'proxy-down', type: 'down', startedAt: Date.now() });
  }
  if (phase.spec.kind === 'fail-first') {
    const tap = taps.get(phase.spec.proxy);
    if (!tap) {
      throw new MsaVerifyError(
        'MSAV_SCENARIO_INVALID',
        `fail-first needs a tap on proxy "${phase.spec.proxy}" (tap: true)`,
      );
    }
    tap.failNext(phase.spec.n);
    applied.faults.push({
      proxy: phase.spec.proxy,
      toxic: `fail-first-${phase.spec.n}`,
      type: 'fail-first',
      startedAt: Date.now(),
    });
  }
  return applied;
}

async function healPhase(session: ChaosSession, applied: Applied): Promise<void> {
  for (const t of applied.toxics) await session.removeToxic(t.proxy, t.name);
  for (const p of applied.disabled) await session.setEnabled(p, true);
}

async function probeTarget(target: string): Promise<void> {
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
  } catch (cause) {
    throw new MsaVerifyError(
      'MSAV_TARGET_UNREACHABLE',
      `load target ${target} is unreachable: ${describeNetError(cause)}`,
      {
        cause,
      },
    );
  }
}

async function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  const ms = at - Date.now();
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    throwIfAborted(signal);
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new MsaVerifyError(
      'MSAV_INTERRUPTED',
      `interrupted (${String(signal.reason ?? 'abort')}); the run was rolled back`,
    );
  }
}
