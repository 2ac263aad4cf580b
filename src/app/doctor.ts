import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { engineAddress, imageExists, probeEngine } from '../containers/engine.js';
import { BUILD_HINT, KNOWN_IMAGES } from '../containers/images.js';
import { DEFAULT_CONFIG_FILE, type LoadConfigResult, loadConfig } from '../core/config/load.js';
import type { Config } from '../core/config/schema.js';
import { describeDiscovery } from '../core/discovery/schema.js';
import { serviceUrl } from '../core/discovery/service-url.js';
import { probeHttp, probeTcp } from '../core/probe.js';
import { probeSecuredServices } from './doctor-services.js';

/** One line of the doctor's report. */
export interface ComponentStatus {
  readonly name: string;
  /** True when the loaded config uses this component. */
  readonly needed: boolean;
  readonly ok: boolean;
  readonly detail: string;
}

/** Outcome of {@link doctor}. */
export interface DoctorResult {
  /** False when a needed component is unavailable. */
  readonly ok: boolean;
  readonly configFile: string | null;
  readonly components: readonly ComponentStatus[];
}

/** Options for {@link doctor}. */
export interface DoctorOptions {
  readonly config?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

// AMQP 0-9-1 protocol header; a broker answers with a Connection.Start frame (type 1).
const AMQP_HEADER = Uint8Array.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/**
 * Probes every real component msa-verify can use. Components named in the
 * config are "needed"; the others are reported for information only. Without a
 * config file the default local addresses are probed and nothing is needed.
 */
export async function doctor(options: DoctorOptions = {}): Promise<DoctorResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const explicit = options.config !== undefined;
  const configPath = path.resolve(cwd, options.config ?? DEFAULT_CONFIG_FILE);
  let config: Config | null = null;
  let loaded: LoadConfigResult | undefined;
  if (explicit || existsSync(configPath)) {
    loaded = await loadConfig({ file: configPath, cwd, env });
    config = loaded.config;
  }
  const toxiproxyUrl = config?.toxiproxy?.url ?? 'http://127.0.0.1:8474';
  const rabbitUrl = new URL(config?.rabbitmq?.url ?? 'amqp://127.0.0.1:5672');
  const prometheusUrl = config?.prometheus?.url ?? 'http://127.0.0.1:9090';
  const pushgatewayUrl = config?.pushgateway?.url ?? 'http://127.0.0.1:9091';
  const jaegerUrl = config?.jaeger?.url ?? 'http://127.0.0.1:16686';

  const checks: Promise<ComponentStatus | ComponentStatus[]>[] = [
    probeHttp(new URL('/version', toxiproxyUrl).href).then((r) =>
      status('Toxiproxy API', Boolean(config?.toxiproxy), r.ok, r.detail),
    ),
    probeTcp(rabbitUrl.hostname, Number(rabbitUrl.port || 5672), { hello: AMQP_HEADER }).then((r) =>
      r.ok
        ? status(
            'RabbitMQ',
            Boolean(config?.rabbitmq),
            r.data[0] === 1,
            r.data[0] === 1 ? `AMQP 0-9-1 at ${rabbitUrl.host}` : `${rabbitUrl.host} is not an AMQP broker`,
          )
        : status('RabbitMQ', Boolean(config?.rabbitmq), false, r.detail),
    ),
    probeHttp(new URL('/-/ready', prometheusUrl).href).then((r) =>
      status('Prometheus', Boolean(config?.prometheus), r.ok, r.detail),
    ),
    probeHttp(new URL('/-/ready', pushgatewayUrl).href).then((r) =>
      status('Pushgateway', Boolean(config?.pushgateway), r.ok, r.detail),
    ),
    // The query API answers /api/services with JSON only when it is Jaeger's.
    probeHttp(new URL('/api/services', jaegerUrl).href).then((r) =>
      status('Jaeger', Boolean(config?.jaeger), r.ok, r.ok ? `query API at ${new URL(jaegerUrl).host}` : r.detail),
    ),
    probeDocker(env),
    Promise.resolve(probePactCore(cwd, Boolean(config?.contracts))),
  ];
  if (config?.broker) {
    const token = env[config.broker.tokenEnv];
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    checks.push(
      probeHttp(config.broker.url, { headers }).then((r) => status('Pact Broker', true, r.ok, redact(r.detail, token))),
    );
  } else {
    checks.push(Promise.resolve(status('Pact Broker', false, false, 'not configured (broker.url)')));
  }
  // Services found through a registry: the entry must be there and name an address.
  for (const [name, service] of Object.entries(config?.services ?? {})) {
    if (typeof service.url === 'string' || !config) continue;
    const where = describeDiscovery(service.url.discovery);
    checks.push(
      serviceUrl(config, name).then(
        (url) => status(`service ${name} (registry)`, true, true, `${where} -> ${url}`),
        (error: unknown) => status(`service ${name} (registry)`, true, false, (error as Error).message),
      ),
    );
  }
  // Services reached over TLS or with credentials: the handshake and the token are what can break.
  const components = [
    ...(await Promise.all(checks)).flat(),
    ...(loaded ? await probeSecuredServices(loaded, env) : []),
  ];
  return {
    ok: components.every((c) => c.ok || !c.needed),
    configFile: config ? configPath : null,
    components,
  };
}

function status(name: string, needed: boolean, ok: boolean, detail: string): ComponentStatus {
  return { name, needed, ok, detail };
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

// The engine and msa-verify's images: only scenarios ask for containers, so never "needed" here.
async function probeDocker(env: NodeJS.ProcessEnv): Promise<ComponentStatus[]> {
  const engine = await probeEngine(env);
  if (!engine.ok) {
    return [
      status('Docker engine (containers)', false, false, engine.detail),
      status('msa-verify images', false, false, 'no engine to ask'),
    ];
  }
  const address = engineAddress(env);
  const found = await Promise.all(
    KNOWN_IMAGES.map(async (image) => ({ image, there: await imageExists(address, image).catch(() => false) })),
  );
  const missing = found.filter((f) => !f.there).map((f) => f.image);
  return [
    status(
      'Docker engine (containers)',
      false,
      true,
      `Docker ${engine.version} (API ${engine.apiVersion}) at ${engine.host}`,
    ),
    status(
      'msa-verify images',
      false,
      missing.length === 0,
      missing.length === 0 ? found.map((f) => f.image).join(', ') : `missing ${missing.join(', ')}: ${BUILD_HINT}`,
    ),
  ];
}

function probePactCore(cwd: string, needed: boolean): ComponentStatus {
  // The user's project first, then the copy next to msa-verify itself.
  for (const req of [createRequire(path.join(cwd, 'package.json')), createRequire(import.meta.url)]) {
    try {
      const { version } = req('@pact-foundation/pact-core/package.json') as { version: string };
      return status('Pact core library', needed, true, `@pact-foundation/pact-core ${version}`);
    } catch {
      // not resolvable from here
    }
  }
  return status('Pact core library', needed, false, '@pact-foundation/pact-core is not installed');
}
