import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryCount, ExpectationVerdict, PhaseResult } from '../../core/results.js';
import { tapCalls } from '../tap/types.js';
import { checkDelivered } from './delivered.js';
import type { DriveResult, PhaseWindow } from './drive-phases.js';
import type { JudgeCatalog, PhaseEvidence } from './engine-contract.js';
import { checkEventually, EVENTUALLY_PHASE } from './eventually.js';
import { addFaultReachVerdicts } from './fault-reach.js';
import { judgePhase } from './judge.js';
import { addOnPathVerdicts } from './on-path.js';
import { addRegistryVerdicts } from './registry-verdict.js';
import { phaseResult } from './result.js';
import type { RunContext } from './run-context.js';
import type { RunSetUp } from './set-up-run.js';

/**
 * Evidence per phase (samples, spans, tap connections and calls) -> verdicts
 * from the catalog -> on-path, registry and fault-reach verdicts for the faults -> `eventually` checks.
 */
export async function judgeRun(
  context: RunContext,
  run: RunSetUp,
  driven: DriveResult,
  catalog: JudgeCatalog,
): Promise<PhaseResult[]> {
  const s = context.plan.scenario;
  if (run.traces) await sleep(1500); // let exporters flush their last batch
  const phases: PhaseResult[] = [];
  let lastFault: { from: number; to: number } | undefined;
  for (const w of driven.windows) {
    const kind = w.phase.spec.kind;
    if (kind === 'fault' || kind === 'fail-first') lastFault = { from: w.startedAt, to: w.endedAt };
    // A steady phase relates to no fault; the others to the latest one up to and including them.
    const evidence = await collectEvidence(run, driven, w, kind === 'steady' ? undefined : lastFault);
    phases.push(phaseResult(evidence, judgePhase(w.phase.spec, evidence, catalog)));
  }
  const onPath = addOnPathVerdicts(
    phases,
    driven.faults,
    s.proxies.map((p) => ({
      name: p.name,
      listen: p.listen,
      upstream: context.addresses.upstreams.get(p.name) ?? '',
      connections: run.taps.get(p.name)?.connections().length,
      ...(p.placement === 'registry' && typeof p.upstream !== 'string' && 'discovery' in p.upstream
        ? { registryKey: p.upstream.discovery.key }
        : {}),
    })),
  );
  const judged = addFaultReachVerdicts(
    addRegistryVerdicts(onPath, run.registry, s.proxies),
    driven.faults,
    new Map([...run.taps].map(([name, tap]) => [name, tap.connectionLog()])),
  );
  if (s.eventually.length > 0) judged.push(await eventuallyPhase(context, driven, run));
  return judged;
}

async function collectEvidence(
  run: RunSetUp,
  driven: DriveResult,
  w: PhaseWindow,
  fault: { from: number; to: number } | undefined,
): Promise<PhaseEvidence> {
  const inWindow = (t: number): boolean => t >= w.startedAt && t < w.endedAt;
  const taps = [...run.taps];
  return {
    phase: { name: w.phase.spec.name, kind: w.phase.spec.kind, startedAt: w.startedAt, endedAt: w.endedAt },
    samples: driven.samples.filter((x) => inWindow(x.intendedAt)),
    spans: run.traces ? await run.traces.spans({ from: w.startedAt, to: w.endedAt }) : [],
    connections: Object.fromEntries(taps.map(([name, tap]) => [name, tap.connections().filter(inWindow)])),
    calls: Object.fromEntries(taps.map(([name, tap]) => [name, tapCalls(tap).filter(inWindow)])),
    ...(fault ? { faultStartedAt: fault.from, faultEndedAt: fault.to } : {}),
  };
}

/** The `eventually` verdicts, reported as a pseudo-phase after the load. */
async function eventuallyPhase(
  { plan, signal }: RunContext,
  { samples, windows }: DriveResult,
  run: RunSetUp,
): Promise<PhaseResult> {
  const s = plan.scenario;
  const endedLoad = Date.now();
  const paths = (seq: number): string => s.load.requests[seq % s.load.requests.length]!.path;
  const phases = windows.map((w) => ({ name: w.phase.spec.name, startedAt: w.startedAt, endedAt: w.endedAt }));
  const faulted = windows.filter((w) => w.phase.spec.kind === 'fault' || w.phase.spec.kind === 'fail-first');
  const healedAt = faulted.at(-1)?.endedAt ?? windows.at(-1)?.endedAt ?? endedLoad;
  const verdicts: ExpectationVerdict[] = [];
  const deliveries: DeliveryCount[] = [];
  for (const e of s.eventually) {
    if (e.type === 'delivered') {
      const checked = await checkDelivered(e, {
        samples,
        pathOf: (x) => x.path ?? paths(x.seq),
        phases,
        healedAt,
        traces: run.traces,
        phaseLabel: EVENTUALLY_PHASE,
        ...(signal ? { signal } : {}),
      });
      verdicts.push(...checked.verdicts);
      deliveries.push(...checked.deliveries);
      continue;
    }
    verdicts.push(await checkEventually(e, samples, new Map(samples.map((x) => [x.seq, paths(x.seq)])), signal));
  }
  return {
    name: EVENTUALLY_PHASE,
    kind: 'recovery',
    startedAt: endedLoad,
    endedAt: Date.now(),
    requests: 0,
    errors: 0,
    latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
    verdicts,
    ...(deliveries.length > 0 ? { deliveries } : {}),
  };
}
