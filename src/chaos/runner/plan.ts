import { TOXIPROXY_IMAGE } from '../../containers/images.js';
import { type Address, addressProblems, urlAddress as url } from '../../core/allow-list.js';
import type { DnsRef } from '../../core/discovery/dns.js';
import { type DiscoveryRef, describeDiscovery } from '../../core/discovery/schema.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { MsaVerifyError } from '../../core/errors.js';
import type { TargetSecurity } from '../../core/security/index.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Phase, Scenario } from '../scenario/schema.js';
import { type Fault, type ToxiproxyToxic, toToxiproxyToxic } from '../scenario/toxics.js';

/** Limits from the config's `chaos` section. */
export interface ChaosLimits {
  /** host:port patterns with `*` wildcards. */
  readonly allowTargets: readonly string[];
  /** Milliseconds. */
  readonly maxDurationMs: number;
}

/** One phase with its timings resolved. */
export interface PlannedPhase {
  readonly index: number;
  readonly spec: Phase;
  /** Offset from the start of the load, ms. */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** Toxics to add (fault phases); `down` faults appear in `disable`. */
  readonly toxics: readonly { proxy: string; toxic: ToxiproxyToxic; fault: Fault }[];
  readonly disable: readonly string[];
}

/** What a run will do, computed before anything is touched (also what `--dry-run` prints). */
export interface RunPlan {
  readonly scenario: Scenario;
  readonly file: string;
  readonly phases: readonly PlannedPhase[];
  /** Sum of the phase durations, ms. */
  readonly loadDurationMs: number;
  /** Load plus the longest `eventually` wait, ms; capped by `maxDuration`. */
  readonly maxTotalMs: number;
  readonly timeoutMs: number;
  readonly toxiproxy: {
    readonly url?: string;
    readonly managed: boolean;
    readonly binary?: string;
    /** `managed: container`: the image to run (default msa-verify/toxiproxy). */
    readonly container?: { readonly image?: string };
  };
  /** `chaos.allowTargets`: addresses resolved from a registry at run time must match too. */
  readonly allowTargets: readonly string[];
  /** TLS and credentials for the load target (config `tls`/`auth` of its service, or the top level). */
  readonly security?: TargetSecurity;
}

/**
 * Resolves durations and faults and enforces the config's limits.
 * @throws MsaVerifyError `MSAV_TARGET_NOT_ALLOWED` or `MSAV_DURATION_CAP_EXCEEDED` (exit 2).
 */
export function planRun(loaded: LoadedScenario, limits: ChaosLimits, defaultToxiproxyUrl?: string): RunPlan {
  const s = loaded.scenario;
  let offset = 0;
  const phases: PlannedPhase[] = s.phases.map((spec, index) => {
    const durationMs = parseDuration(spec.duration);
    const faults = spec.kind === 'fault' ? spec.faults : [];
    const planned: PlannedPhase = {
      index,
      spec,
      offsetMs: offset,
      durationMs,
      toxics: faults.flatMap((fault) => {
        const toxic = toToxiproxyToxic(fault);
        return toxic ? [{ proxy: fault.proxy, toxic, fault }] : [];
      }),
      disable: faults.filter((f) => f.type === 'down').map((f) => f.proxy),
    };
    offset += durationMs;
    return planned;
  });
  const eventuallyMs = Math.max(0, ...s.eventually.map((e) => parseDuration(e.within)));
  const maxTotalMs = offset + eventuallyMs;
  checkTargets(loaded, limits.allowTargets, defaultToxiproxyUrl);
  if (maxTotalMs > limits.maxDurationMs) {
    throw new MsaVerifyError(
      'MSAV_DURATION_CAP_EXCEEDED',
      `${loaded.display}: the scenario can take ${formatDuration(maxTotalMs)}, more than chaos.maxDuration ${formatDuration(limits.maxDurationMs)}`,
    );
  }
  const managed = s.toxiproxy?.managed !== undefined && s.toxiproxy.managed !== false;
  const container = s.toxiproxy?.managed === 'container';
  const url = managed ? undefined : (s.toxiproxy?.url ?? defaultToxiproxyUrl);
  if (!managed && !url) {
    throw new MsaVerifyError(
      'MSAV_SCENARIO_INVALID',
      `${loaded.display}: no Toxiproxy: set toxiproxy.url or managed: true in the scenario, or toxiproxy.url in the config`,
    );
  }
  return {
    scenario: s,
    file: loaded.display,
    phases,
    loadDurationMs: offset,
    maxTotalMs,
    timeoutMs: parseDuration(s.load.timeout),
    toxiproxy: {
      ...(url ? { url } : {}),
      managed,
      ...(s.toxiproxy?.binary ? { binary: s.toxiproxy.binary } : {}),
      ...(container ? { container: s.toxiproxy?.image ? { image: s.toxiproxy.image } : {} } : {}),
    },
    allowTargets: limits.allowTargets,
  };
}

export { targetAllowed } from '../../core/allow-list.js';

/**
 * Every address of the scenario: what the run connects to (Toxiproxy, the load
 * target, upstreams, `eventually` URLs, Jaeger) and what it listens on (proxies, the
 * OTLP receiver). `toxiproxyUrl` is the scenario's or the config's.
 */
export function scenarioAddresses(s: LoadedScenario['scenario'], toxiproxyUrl: string | undefined): Address[] {
  return [
    ...url(
      'toxiproxy.url',
      s.toxiproxy?.managed !== undefined && s.toxiproxy.managed !== false ? undefined : toxiproxyUrl,
    ),
    ...addressOrRegistry('load.target', s.load.target),
    ...s.proxies.flatMap((p, i) => [
      { path: `proxies.${i}.listen`, hostPort: p.listen, listen: true },
      ...(typeof p.upstream === 'string'
        ? [{ path: `proxies.${i}.upstream`, hostPort: p.upstream }]
        : addressOrRegistry(`proxies.${i}.upstream`, p.upstream)),
    ]),
    ...s.eventually.flatMap((e, i) =>
      e.type === 'accepted-visible'
        ? url(`eventually.${i}.url`, e.url.replace('{id}', 'x'))
        : (e.lag?.brokers ?? []).map((hostPort, j) => ({ path: `eventually.${i}.lag.brokers.${j}`, hostPort })),
    ),
    ...(s.traces?.otlp
      ? [{ path: 'traces.otlp.port', hostPort: `127.0.0.1:${s.traces.otlp.port}`, listen: true }]
      : []),
    ...url('traces.jaeger.url', s.traces?.jaeger?.url),
    ...(s.traces?.jaeger?.container
      ? [
          {
            path: 'traces.jaeger.container.otlpPort',
            hostPort: `127.0.0.1:${s.traces.jaeger.container.otlpPort}`,
            listen: true,
          },
        ]
      : []),
  ];
}

/** A URL field's address; for a registry reference, the registry's (what it names is checked at run time). */
function addressOrRegistry(path: string, value: string | DiscoveryRef | DnsRef): Address[] {
  if (typeof value === 'string') return url(path, value);
  if ('dns' in value) return [{ path: `${path}.dns.resolver`, hostPort: value.dns.resolver }];
  return url(`${path}.discovery.etcd.url`, value.discovery.etcd.url);
}

function checkTargets(loaded: LoadedScenario, allow: readonly string[], toxiproxyUrl: string | undefined): void {
  // A default Toxiproxy URL from the config is checked (and located) in the config itself.
  const own = loaded.scenario.toxiproxy?.url;
  const problems = addressProblems(
    scenarioAddresses(loaded.scenario, own ?? toxiproxyUrl).filter(
      (a) => own !== undefined || a.path !== 'toxiproxy.url',
    ),
    allow,
    loaded.display,
    loaded.locate ?? (() => ({ line: 1, column: 1 })),
  );
  if (problems.length > 0) {
    throw new MsaVerifyError('MSAV_TARGET_NOT_ALLOWED', `${loaded.display}: address not allowed by the config`, {
      problems,
    });
  }
}

/** Longest line of a dry-run plan, in characters; longer ones end in an ellipsis. */
export const MAX_PLAN_LINE = 300;

/** Most load requests a dry-run plan names; the rest are counted. */
export const MAX_PLAN_REQUESTS = 5;

/** The plan as lines of text, for `--dry-run`; every line is at most {@link MAX_PLAN_LINE} characters. */
export function describePlan(plan: RunPlan): string[] {
  return planLines(plan).map((line) => (line.length > MAX_PLAN_LINE ? `${line.slice(0, MAX_PLAN_LINE - 1)}…` : line));
}

function toxiproxyLine(t: RunPlan['toxiproxy']): string {
  if (t.container) return `managed (private container, ${t.container.image ?? TOXIPROXY_IMAGE}, needs a Docker engine)`;
  if (t.managed) return `managed (private server${t.binary ? `, ${t.binary}` : ''})`;
  return t.url ?? '';
}

function planLines(plan: RunPlan): string[] {
  const s = plan.scenario;
  const lines = [
    `scenario ${s.name} (${plan.file})`,
    `  toxiproxy: ${toxiproxyLine(plan.toxiproxy)}`,
    ...s.proxies.map(
      (p) =>
        `  proxy ${p.name}: listen ${p.listen} -> upstream ${addressText(p.upstream)}${p.tap ? ' (via tap)' : ''}` +
        (p.placement === 'registry' ? `; the registry entry is re-pointed to ${p.listen} for the run` : ''),
    ),
    ...(s.load.k6 ? [`  load: k6 script ${s.load.k6.script} (needs k6 on PATH)`] : []),
    `  load: ${s.load.rate} req/s for ${formatDuration(plan.loadDurationMs)} against ${addressText(s.load.target)}, timeout ${s.load.timeout}: ${requestList(s.load.requests)}`,
  ];
  for (const p of plan.phases) {
    const at = `${formatDuration(p.offsetMs)}..${formatDuration(p.offsetMs + p.durationMs)}`;
    lines.push(`  phase ${p.spec.name} [${p.spec.kind}] ${at}`);
    for (const t of p.toxics) {
      lines.push(
        `    toxic ${t.toxic.type} on ${t.proxy} (${t.toxic.stream}, toxicity ${t.toxic.toxicity}) ${JSON.stringify(t.toxic.attributes)}` +
          (t.fault.type !== 'down' && t.fault.cutConnections ? ', open connections cut at its start' : ''),
      );
    }
    for (const d of p.disable) lines.push(`    proxy ${d} down`);
    if (p.spec.kind === 'fail-first') {
      const cut = p.spec.cutConnections ? ' (open connections cut at its start)' : '';
      lines.push(`    fail the first ${p.spec.n} connections to ${p.spec.proxy}${cut}`);
    }
    if (p.spec.kind === 'recovery') lines.push(`    back to steady state within ${p.spec.within}`);
    for (const e of p.spec.expect)
      lines.push(`    expect ${e.name ?? e.type} ${JSON.stringify({ ...e, type: undefined, name: undefined })}`);
  }
  for (const e of s.eventually) {
    const what = e.type === 'accepted-visible' ? e.url : `processed by ${e.consumer} (${e.transport})`;
    lines.push(`  eventually ${e.type}: ${what} within ${e.within}`);
  }
  lines.push(`  at most ${formatDuration(plan.maxTotalMs)} in all; nothing was touched (dry run)`);
  return lines;
}

function addressText(value: string | DiscoveryRef | DnsRef): string {
  if (typeof value === 'string') return value;
  if ('dns' in value) return `the target of SRV ${value.dns.srv} on ${value.dns.resolver}`;
  return `the instance registered at ${describeDiscovery(value.discovery)}`;
}

function requestList(requests: LoadedScenario['scenario']['load']['requests']): string {
  const named = requests.slice(0, MAX_PLAN_REQUESTS).map((r) => `${r.method} ${r.path}`);
  const more = requests.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more request(s)` : ''}`;
}
