import { freePort } from '../core/net.js';
import { probeHttp, probeTcp } from '../core/probe.js';
import { JAEGER_IMAGE } from './images.js';
import { type ManagedContainer, startContainer } from './start.js';

/** A Jaeger (v2, in-memory storage) running in a container this process started. */
export interface JaegerContainer extends ManagedContainer {
  /** Query API and UI, e.g. `http://127.0.0.1:41234`: what `traces.jaeger.url` takes. */
  readonly url: string;
  /** OTLP/HTTP traces endpoint services export to, e.g. `http://127.0.0.1:41235/v1/traces`. */
  readonly otlpTracesUrl: string;
}

/** Options for {@link startJaegerContainer}. */
export interface JaegerContainerOptions {
  /** Default `msa-verify/jaeger:1.76.0` (built locally, FROM scratch). */
  readonly image?: string;
  /** Port of the OTLP/HTTP receiver on 127.0.0.1 (services export there). Default a free port. */
  readonly otlpPort?: number;
  /** Milliseconds to wait for the query API and the OTLP receiver. Default 30000. */
  readonly startTimeoutMs?: number;
}

/**
 * Starts a private Jaeger in a container on the host network, every listener on
 * 127.0.0.1 and a free port (so it never meets a Jaeger already running); ready
 * when the query API answers and the OTLP/HTTP receiver accepts connections.
 * @throws MsaVerifyError `MSAV_COMPONENT_UNAVAILABLE` (exit 3), see {@link startContainer}.
 */
export async function startJaegerContainer(options: JaegerContainerOptions = {}): Promise<JaegerContainer> {
  const [query, queryGrpc, health] = await Promise.all([freePort(), freePort(), freePort()]);
  const otlp = options.otlpPort ?? (await freePort());
  const url = `http://127.0.0.1:${query}`;
  const container = await startContainer({
    image: options.image ?? JAEGER_IMAGE,
    role: 'jaeger',
    command: ['--config', 'file:/jaeger.yaml'],
    files: [{ content: jaegerConfig({ query, queryGrpc, otlp, health }), target: '/jaeger.yaml' }],
    ready: async () =>
      (await probeHttp(`${url}/api/services`, { timeoutMs: 500 })).ok &&
      (await probeTcp('127.0.0.1', otlp, { timeoutMs: 500 })).ok,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
  });
  return Object.assign(container, { url, otlpTracesUrl: `http://127.0.0.1:${otlp}/v1/traces` });
}

// Jaeger v2 is an OpenTelemetry collector: this is its collector configuration,
// with query and storage extensions; memory storage, quiet logs, no own metrics.
function jaegerConfig(p: { query: number; queryGrpc: number; otlp: number; health: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces: { receivers: [otlp], exporters: [jaeger_storage_exporter] }
  telemetry:
    metrics: { level: none }
    logs: { level: warn }
extensions:
  healthcheckv2: { use_v2: true, http: { endpoint: 127.0.0.1:${p.health} } }
  jaeger_query:
    storage: { traces: memstore }
    http: { endpoint: 127.0.0.1:${p.query} }
    grpc: { endpoint: 127.0.0.1:${p.queryGrpc} }
  jaeger_storage:
    backends: { memstore: { memory: { max_traces: 100000 } } }
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.otlp} } } }
exporters:
  jaeger_storage_exporter: { trace_storage: memstore }
`;
}
