import net from 'node:net';
import path from 'node:path';
import { MsaVerifyError } from '../../core/errors.js';
import { describeNetError } from '../../core/probe.js';
import { sendRequest, type TargetSecurity } from '../../core/security/index.js';
import { JsonLinesTraceSource } from '../../evidence/file-source.js';
import { JaegerTraceSource } from '../../evidence/jaeger-source.js';
import { OtlpReceiver } from '../../evidence/otlp-receiver.js';
import type { TraceSource } from '../../evidence/types.js';
import { k6Available } from '../load/k6.js';
import { type GuardLog, RegistryGuard } from '../registry/guard.js';
import { repointEntries } from '../registry/repoint.js';
import { startTap } from '../tap/start-tap.js';
import type { Tap } from '../tap/types.js';
import { ToxiproxyClient } from '../toxiproxy/client.js';
import type { ServerContainer } from '../toxiproxy/journal.js';
import { cleanLeftovers } from '../toxiproxy/leftovers.js';
import { claimListenAddresses } from '../toxiproxy/listen-lock.js';
import { startManagedToxiproxy } from '../toxiproxy/managed.js';
import { ChaosSession } from '../toxiproxy/session.js';
import { bounded } from './bounded.js';
import { throwIfAborted } from './interrupt.js';
import type { RunContext } from './run-context.js';

/** Everything a run started before its load; disposing it rolls back and closes it all. */
export interface RunSetUp extends AsyncDisposable {
  readonly session: ChaosSession;
  /** Scenario proxy name -> the run's Toxiproxy proxy name. */
  readonly proxyNames: ReadonlyMap<string, string>;
  /** Taps by scenario proxy name (only proxies with `tap`). */
  readonly taps: ReadonlyMap<string, Tap>;
  readonly traces: TraceSource | undefined;
  /** What happened to the registry entries re-pointed at proxies (`placement: registry`), by scenario proxy name. */
  readonly registry: ReadonlyMap<string, GuardLog>;
  /**
   * Rolls the session back now (the normal path, before the result is built);
   * true when nothing of the run is left. Disposal then rolls back only if this
   * did not succeed.
   */
  rollback(): Promise<boolean>;
}

/**
 * listen addresses claimed -> leftovers -> Toxiproxy (url | managed) -> journal + watchdog -> taps + proxies
 * -> probe target -> trace source. Each started resource registers its own
 * bounded disposal, so a failure half-way undoes exactly what was started.
 * @throws MsaVerifyError exit 3 when Toxiproxy or the target is unreachable; `MSAV_INTERRUPTED` on abort.
 */
export async function setUpRun(context: RunContext): Promise<RunSetUp> {
  const { plan, note } = context;
  const s = plan.scenario;
  // Disposal runs in reverse registration order and must be: session rollback
  // (it needs the proxies' Toxiproxy), taps, trace source, managed Toxiproxy.
  await using stack = new AsyncDisposableStack();
  // First claimed, last released: a concurrent run on the same addresses stops here, before anything is touched.
  const release = await claimListenAddresses(
    s.proxies.map((p) => ({ proxy: p.name, listen: p.listen })),
    { runId: context.runId, scenario: s.name, file: plan.file },
    { kafka: kafkaProxies(s) },
  );
  stack.defer(() => bounded(release(), 3000, 'release the listen addresses', note));
  const closedLast = stack.use(new AsyncDisposableStack());
  const taps = new Map<string, Tap>();
  stack.defer(() => bounded(Promise.all([...taps.values()].map((t) => t.close())), 3000, 'close taps', note));

  await noteLeftovers(context);
  if (s.load.k6 && plan.security) {
    throw new MsaVerifyError(
      'MSAV_USAGE',
      `${plan.file}: load.k6 cannot present the config's tls/auth for ${s.load.target} (k6 takes client certificates only from its script's options, trusts no CA file it is handed, and could not refresh a token during the run); use the built-in generator`,
    );
  }
  if (s.load.k6) {
    const k6 = k6Available();
    if (!k6.available) throw new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `${plan.file}: load.k6: ${k6.reason}`);
    note(`load from k6 (${k6.version}): live progress shows phases only; samples arrive when k6 ends`);
  }
  const toxiproxy = await startToxiproxy(context, closedLast);
  // Reachability first (exit 3 with the URL), so that an absent Toxiproxy leaves no journal behind.
  await new ToxiproxyClient(toxiproxy.url).version();
  const session = await ChaosSession.open({
    runId: context.runId,
    scenario: s.name,
    toxiproxyUrl: toxiproxy.url,
    owned: toxiproxy.pid !== undefined || toxiproxy.container !== undefined,
    ...(toxiproxy.pid !== undefined ? { serverPid: toxiproxy.pid } : {}),
    ...(toxiproxy.container ? { serverContainer: toxiproxy.container } : {}),
    journalDir: context.journalDir,
    ...(context.watchdog ? {} : { watchdog: false }),
  });
  let rolledBack = false;
  stack.defer(async () => {
    if (rolledBack) return;
    const outcome = await session.rollback();
    if (!outcome.ok) note(`rollback incomplete (the watchdog keeps trying): ${outcome.notes.join('; ')}`);
  });
  throwIfAborted(context.signal);

  const proxyNames = await createProxies(context, session, taps);
  const guard = await repointRegistry(context, session);
  // Stopped before any rollback (and the session refuses re-points once rolling back).
  if (guard) stack.defer(() => guard[Symbol.asyncDispose]());
  throwIfAborted(context.signal);
  await probeTarget(context.addresses.target, plan.security);
  const traces = await openTraceSource(context, closedLast);
  if (traces) closedLast.defer(() => bounded(traces.close(), 3000, 'close the trace source', note));
  throwIfAborted(context.signal);

  const owned = stack.move();
  return {
    session,
    proxyNames,
    taps,
    traces,
    registry: guard?.logs() ?? new Map(),
    async rollback() {
      await guard?.[Symbol.asyncDispose]();
      const outcome = await session.rollback();
      rolledBack = outcome.ok;
      if (!outcome.ok) note(`rollback incomplete: ${outcome.notes.join('; ')}`);
      return rolledBack;
    },
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}

/** Proxies that are (likely) a Kafka broker's advertised address: named so, or in a scenario judging Kafka delivery. */
function kafkaProxies(s: RunContext['plan']['scenario']): Set<string> {
  const kafka = s.eventually.some((e) => e.type === 'delivered' && e.transport === 'kafka');
  return new Set(s.proxies.filter((p) => kafka || /kafka/i.test(p.name)).map((p) => p.name));
}

async function noteLeftovers({ journalDir, note }: RunContext): Promise<void> {
  for (const c of await cleanLeftovers(journalDir)) {
    note(
      `cleaned leftovers of run ${c.runId} (${c.scenario}) on ${c.toxiproxyUrl}: ${c.outcome.ok ? 'ok' : c.outcome.notes.join('; ')}`,
    );
  }
}

/** The scenario's Toxiproxy URL, or a private server or container started (and stopped by `stack`) for this run. */
async function startToxiproxy(
  { plan, cwd, note }: RunContext,
  stack: AsyncDisposableStack,
): Promise<{ url: string; pid?: number; container?: ServerContainer }> {
  if (!plan.toxiproxy.managed) return { url: plan.toxiproxy.url ?? '' };
  if (plan.toxiproxy.container) {
    const { startToxiproxyContainer } = await import('../../containers/toxiproxy.js');
    const started = await startToxiproxyContainer(plan.toxiproxy.container);
    stack.defer(() => bounded(started.stop(), 8000, 'remove the Toxiproxy container', note));
    note(`started a private Toxiproxy at ${started.url} (container ${started.id.slice(0, 12)}, ${started.image})`);
    return { url: started.url, container: { engine: started.engine, id: started.id } };
  }
  const managed = await startManagedToxiproxy({
    cwd,
    ...(plan.toxiproxy.binary ? { binary: plan.toxiproxy.binary } : {}),
  });
  stack.defer(() => bounded(managed.stop(), 5000, 'stop the managed Toxiproxy', note));
  note(`started a private Toxiproxy at ${managed.url} (${managed.binary})`);
  return { url: managed.url, pid: managed.pid };
}

/** Creates the run's proxies; a proxy with `tap` points at a new tap (added to `taps`) in front of its upstream. */
async function createProxies(
  { plan, addresses }: RunContext,
  session: ChaosSession,
  taps: Map<string, Tap>,
): Promise<Map<string, string>> {
  const proxyNames = new Map<string, string>();
  for (const p of plan.scenario.proxies) {
    let upstream = addresses.upstreams.get(p.name) ?? '';
    if (p.tap) {
      const tap = await startTap(upstream);
      taps.set(p.name, tap);
      upstream = tap.listen;
    }
    proxyNames.set(p.name, await session.createProxy({ name: p.name, listen: p.listen, upstream }));
  }
  return proxyNames;
}

/** Re-points the entries of `placement: registry` proxies and guards them for the run; undefined when there are none. */
async function repointRegistry(context: RunContext, session: ChaosSession): Promise<RegistryGuard | undefined> {
  const repointed = await repointEntries(context, session);
  return repointed.length > 0 ? new RegistryGuard(session, repointed, context.note) : undefined;
}

function connectTcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
  });
}

async function probeTarget(target: string, security: TargetSecurity | undefined): Promise<void> {
  try {
    // A gRPC target answers HTTP/2 only: a TCP connection is the probe.
    if (target.startsWith('grpc://')) {
      const u = new URL(target);
      await connectTcp(u.hostname, Number(u.port));
      return;
    }
    if (security?.tls || security?.auth) {
      // With the client certificate (and a first token: an unusable credential stops the run here, exit 3).
      const headers: Record<string, string> = security.auth
        ? { authorization: await security.auth.authorization() }
        : {};
      await sendRequest(target, { headers, timeoutMs: 3000, ...(security.tls ? { tls: security.tls } : {}) });
      return;
    }
    const res = await fetch(target, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
  } catch (cause) {
    if (cause instanceof MsaVerifyError) throw cause;
    throw new MsaVerifyError(
      'MSAV_TARGET_UNREACHABLE',
      `load target ${target} is unreachable: ${describeNetError(cause)}`,
      {
        cause,
      },
    );
  }
}

async function openTraceSource(
  { plan, cwd, note }: RunContext,
  closedLast: AsyncDisposableStack,
): Promise<TraceSource | undefined> {
  const traces = plan.scenario.traces;
  if (traces?.otlp) {
    const receiver = new OtlpReceiver({ port: traces.otlp.port });
    const { endpoint } = await receiver.start();
    note(`OTLP receiver at ${endpoint}`);
    return receiver;
  }
  if (traces?.file) return new JsonLinesTraceSource(path.resolve(cwd, traces.file));
  if (traces?.jaeger?.container) {
    const { startJaegerContainer } = await import('../../containers/jaeger.js');
    const jaeger = await startJaegerContainer({ otlpPort: traces.jaeger.container.otlpPort });
    // Registered before the source's close: disposal closes the source first, then removes Jaeger.
    closedLast.defer(() => bounded(jaeger.stop(), 8000, 'remove the Jaeger container', note));
    note(
      `started a private Jaeger at ${jaeger.url} (container ${jaeger.id.slice(0, 12)}, ${jaeger.image}); OTLP/HTTP at ${jaeger.otlpTracesUrl}`,
    );
    return new JaegerTraceSource({ url: jaeger.url, services: [...traces.jaeger.services] });
  }
  if (traces?.jaeger?.url) {
    return new JaegerTraceSource({ url: traces.jaeger.url, services: [...traces.jaeger.services] });
  }
  return undefined;
}
