import { z } from 'zod';
import { httpUrlField, nameField } from '../../core/config/fields.js';
import { orDiscoveryOrDns } from '../../core/discovery/schema.js';
import {
  countField,
  durationField,
  flagField,
  hostPortField,
  positiveField,
  shortNameField,
  upstreamField,
} from './fields.js';
import { FaultSchema } from './toxics.js';

// The scenario file format, version 1. Expectation parameters belong to the
// expectation registry (src/chaos/expectations); this schema only knows their
// envelope and checks the parameters through whatever catalog it is given.

/**
 * What the schema needs from the expectation registry: a strict zod schema of
 * each type's parameters. `expectationRegistry` satisfies it.
 */
export type ExpectationCatalog = ReadonlyMap<string, { readonly params: z.ZodType }>;

/** Which Toxiproxy the run drives: a running one by URL, or one the run starts itself. */
export const ToxiproxyTargetSchema = z
  .strictObject({
    /** API URL of a running Toxiproxy (shared: only this run's proxies are ever touched). */
    url: httpUrlField.optional(),
    /**
     * Start a private Toxiproxy for this run and stop it after: `true` (or `binary`)
     * runs the local toxiproxy-server; `container` runs it as a container through
     * testcontainers (host network; needs a Docker engine, `scripts/services up docker`).
     */
    managed: z
      .union([z.boolean(), z.enum(['binary', 'container'])], {
        message: 'expected true, false, binary or container',
      })
      .optional(),
    /** Path of the toxiproxy-server binary for `managed`. Default `.tools/bin/toxiproxy-server`, then PATH. */
    binary: z.string().optional(),
    /** Image for `managed: container`. Default `msa-verify/toxiproxy:2.12.0` (built locally, never pulled). */
    image: z.string().min(1).optional(),
  })
  .refine((t) => (t.url !== undefined) !== (t.managed !== undefined && t.managed !== false), {
    message: 'give either url or managed: true | binary | container (exactly one)',
  })
  .refine((t) => t.binary === undefined || t.managed === true || t.managed === 'binary', {
    message: 'binary needs managed: true (or binary)',
    path: ['binary'],
  })
  .refine((t) => t.image === undefined || t.managed === 'container', {
    message: 'image needs managed: container',
    path: ['image'],
  });

/** A proxy the run creates: clients connect to `listen`, Toxiproxy forwards to `upstream`. */
export const ProxySchema = z.strictObject({
  name: shortNameField,
  /** host:port Toxiproxy listens on (point the caller here). */
  listen: hostPortField,
  /**
   * host:port of the real dependency (a URL is accepted: its host and port are
   * used), or `{ discovery: { etcd: { url }, key } }`: the instance registered
   * there when the run starts, or `{ dns: { srv, resolver } }`: the target of
   * that SRV record then.
   */
  upstream: orDiscoveryOrDns(upstreamField, 'host:port or a URL'),
  /**
   * How callers reach the proxy. `direct` (default): they are pointed at
   * `listen` by their own configuration. `registry`: the run rewrites the
   * upstream's registry entry to `listen` for the run (keeping its lease) and
   * restores it on every rollback path; needs a `discovery` upstream.
   */
  placement: z.enum(['direct', 'registry']).default('direct'),
  /**
   * Put a connection-counting relay (owned by the run, on this machine) between
   * Toxiproxy and the upstream. Needed for `fail-first` and connection-based
   * retry/breaker evidence. Default true.
   */
  tap: z.boolean().default(true),
});

/** One request of the load mix, sent round-robin. */
export const RequestSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).default('GET'),
  /** Path and query, relative to `load.target`. */
  path: z.string().startsWith('/', { message: 'expected a path starting with /' }),
  /** JSON body. */
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** Constant-arrival-rate load (open model) sent through every phase. */
export const LoadSchema = z.strictObject({
  /**
   * Base URL the requests go to (e.g. the gateway), `grpc://host:port` for gRPC
   * unary calls (then `proto` is needed and each request's `path` is a method
   * path such as `/shop.customers.v1.Customers/GetCustomer`, its `body` the
   * request message), `{ discovery: { etcd: { url }, key } }` or `{ dns: { srv, resolver } }`.
   */
  target: orDiscoveryOrDns(
    z.union([
      httpUrlField,
      z.string().regex(/^grpc:\/\/[\w.-]+:\d{1,5}$/, { message: 'expected an http(s) URL or grpc://host:port' }),
    ]),
    'an http(s) URL or grpc://host:port',
  ),
  /** With a grpc:// target: the .proto declaring the methods, relative to the scenario file. */
  proto: z.string().min(1).optional(),
  /** Requests per second. */
  rate: positiveField,
  /** Client-side give-up per request. Default 5s. */
  timeout: durationField.default('5s'),
  /** Requests in flight beyond this are counted as dropped. Default 1000. */
  maxInFlight: countField.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  requests: z.array(RequestSchema).min(1, { message: 'give at least one request' }),
  /**
   * Drive the load with this k6 script (path relative to the scenario file)
   * instead of the built-in generator; needs `k6` on PATH. The script gets
   * MSAV_TARGET, MSAV_RATE, MSAV_DURATION_MS and MSAV_RUN_ID in `__ENV`.
   */
  k6: z.strictObject({ script: z.string().min(1) }).optional(),
});

/** One expectation: `type` picks the registry entry; the other keys are its parameters. */
export const ExpectationEntrySchema = z.looseObject({
  type: z.string(),
  /** Display name; default the type and its main parameter. */
  name: z.string().optional(),
});

const phaseCommon = {
  name: shortNameField,
  duration: durationField,
  expect: z.array(ExpectationEntrySchema).default([]),
};

export const SteadyPhaseSchema = z.strictObject({ ...phaseCommon, kind: z.literal('steady') });

export const FaultPhaseSchema = z.strictObject({
  ...phaseCommon,
  kind: z.literal('fault'),
  faults: z.array(FaultSchema).min(1, { message: 'a fault phase needs at least one fault' }),
});

export const FailFirstPhaseSchema = z.strictObject({
  ...phaseCommon,
  kind: z.literal('fail-first'),
  /** Proxy whose next `n` connections are reset; then it heals. */
  proxy: shortNameField,
  n: countField,
  /**
   * Close the proxy's open connections when the phase starts, so that callers
   * with pooled keep-alive connections must open new ones (fail-first only
   * meets new connections). Default false.
   */
  cutConnections: flagField.default(false),
});

export const RecoveryPhaseSchema = z.strictObject({
  ...phaseCommon,
  kind: z.literal('recovery'),
  /** The system must be back to its steady state within this after the faults were removed. */
  within: durationField,
});

const PHASE_KINDS = ['steady', 'fault', 'fail-first', 'recovery'];

export const PhaseSchema = z.discriminatedUnion(
  'kind',
  [SteadyPhaseSchema, FaultPhaseSchema, FailFirstPhaseSchema, RecoveryPhaseSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `unknown phase kind ${JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind ?? null)}: expected one of ${PHASE_KINDS.join(', ')}`
        : undefined,
  },
);

/**
 * A check made once after the last phase, polling until it holds or `within`
 * passes. `accepted-visible`: every response to `request` with status in
 * `statuses` carried an id (`idField` of its JSON body) that must become
 * visible at `url` (with `{id}` replaced) as a 200; e.g. every accepted order
 * is eventually scheduled for delivery.
 */
export const AcceptedVisibleSchema = z.strictObject({
  type: z.literal('accepted-visible'),
  name: z.string().optional(),
  /** Path of the load request whose responses count (default: every request). */
  request: z.string().optional(),
  statuses: z.array(countField).default([201]),
  idField: z.string().default('id'),
  /** URL template with `{id}`. */
  url: z.string().regex(/^https?:\/\/\S*\{id\}\S*$/, { message: 'expected an http URL containing {id}' }),
  within: durationField,
});

/**
 * `delivered`: every message published during the run was processed by the
 * consumer, once (or at most `maxDuplicates` extra times), within `within` of
 * the last fault's heal. Published = the ids (`idField`) of the accepted
 * responses to `request` (each accepted request promised one message);
 * processed = the consumer spans of service `consumer` (kind CONSUMER) whose
 * `idAttribute` is that id, from the scenario's `traces` source. Counted per
 * run and per phase (the phase the request was sent in): lost, duplicated, late.
 */
export const DeliveredSchema = z.strictObject({
  type: z.literal('delivered'),
  name: z.string().optional(),
  /** Path of the load request whose accepted responses each published one message (default: every request). */
  request: z.string().optional(),
  statuses: z.array(countField).default([201]),
  /** Field of the accepted response's JSON body that identifies the message. Default `id`. */
  idField: z.string().default('id'),
  /** `service.name` of the consumer whose processing spans count. */
  consumer: z.string().min(1),
  /**
   * Which broker carries the messages; picks the default `idAttribute`:
   * `kafka` -> `messaging.kafka.message.key`, `rabbitmq` -> `messaging.message.id`.
   */
  transport: z.enum(['kafka', 'rabbitmq']),
  /** Span attribute holding the message identity (default by `transport`). */
  idAttribute: z.string().min(1).optional(),
  /** Every published message must be processed this long after the last fault healed. */
  within: durationField,
  /** Extra processings allowed over the whole run (at-least-once, bounded). Default 0. */
  maxDuplicates: countField.default(0),
  /** Messages allowed to be lost. Default 0. */
  lost: countField.default(0),
  /**
   * Count published messages from this service's PRODUCER spans (by `idAttribute`,
   * spans that ended in error do not count) instead of the accepted responses.
   * The scenario's `traces` must include the service.
   */
  producer: z.string().min(1).optional(),
  /**
   * Kafka only: sample the consumer group's lag (end offsets of `topic` minus the
   * group's committed offsets, summed over partitions) with a Kafka admin client
   * from the start of the load until the check ends, every `every` (default 1s).
   */
  lag: z
    .strictObject({
      /** Brokers the admin client bootstraps from: keep it out of the fault (e.g. 127.0.0.1:9092). */
      brokers: z.preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((b) => b.trim()) : v),
        z.array(hostPortField).min(1, { message: 'name at least one broker' }),
      ),
      topic: z.string().min(1),
      group: z.string().min(1),
      every: durationField.default('1s'),
    })
    .optional(),
});

export const EventuallySchema = z.discriminatedUnion('type', [AcceptedVisibleSchema, DeliveredSchema], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown eventually type ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type ?? null)}: expected accepted-visible or delivered`
      : undefined,
});

/** Where spans come from (optional: without traces, connection counts from taps are the evidence). */
export const TracesSchema = z.strictObject({
  /** Start an OTLP/HTTP receiver on 127.0.0.1:port; point the services' OTLP exporter at it. */
  otlp: z.strictObject({ port: countField }).optional(),
  /** Read spans from the preload's JSON-lines file (MSA_VERIFY_TRACES_FILE). */
  file: z.string().optional(),
  /** Query a Jaeger (its query API) for the spans of these services after the load. */
  jaeger: z
    .strictObject({
      /** Jaeger query base URL, e.g. `http://127.0.0.1:16686`. */
      url: z
        .string()
        .regex(/^https?:\/\/\S+$/, { message: 'expected an http(s) URL' })
        .optional(),
      /**
       * Instead of `url`: a private Jaeger the run starts as a container (the
       * msa-verify/jaeger image, host network; needs a Docker engine) and removes
       * after. Its OTLP/HTTP receiver listens on 127.0.0.1:`otlpPort`: start the
       * services with their OTLP exporter pointed at it.
       */
      container: z.strictObject({ otlpPort: countField }).optional(),
      /** Services whose spans are read (Jaeger queries one service at a time). */
      services: z.array(z.string().min(1)).min(1, { message: 'name at least one service' }),
    })
    .refine((j) => (j.url === undefined) !== (j.container === undefined), {
      message: 'give either url or container (exactly one)',
    })
    .optional(),
});

const baseShape = {
  /** Editor hint; ignored. */
  $schema: z.string().optional(),
  /** Version of this file's format. Only 1 exists. */
  version: z.literal(1),
  name: nameField,
  description: z.string().optional(),
  /** Default: `toxiproxy.url` of the config. */
  toxiproxy: ToxiproxyTargetSchema.optional(),
  proxies: z.array(ProxySchema).min(1, { message: 'give at least one proxy' }),
  load: LoadSchema,
  phases: z.array(PhaseSchema).min(1, { message: 'give at least one phase' }),
  traces: TracesSchema.optional(),
  eventually: z.array(EventuallySchema).default([]),
};

/** Scenario schema without the expectation-parameter and cross-reference checks (for JSON Schema). */
export const ScenarioBaseSchema = z.strictObject(baseShape);

/** A validated scenario, durations still as written. */
export type Scenario = z.output<typeof ScenarioBaseSchema>;
export type Phase = Scenario['phases'][number];
export type ProxySpec = Scenario['proxies'][number];

/** Full schema: shape, cross-references (proxy names) and expectation parameters via `catalog`. */
export function scenarioSchema(catalog: ExpectationCatalog) {
  return ScenarioBaseSchema.superRefine((s, ctx) => {
    const proxies = new Set<string>();
    const listens = new Set<string>();
    const repointed = new Set<string>();
    s.proxies.forEach((p, i) => {
      if (proxies.has(p.name))
        ctx.addIssue({ code: 'custom', path: ['proxies', i, 'name'], message: `duplicate proxy name "${p.name}"` });
      if (listens.has(p.listen))
        ctx.addIssue({
          code: 'custom',
          path: ['proxies', i, 'listen'],
          message: `duplicate listen address ${p.listen}`,
        });
      proxies.add(p.name);
      listens.add(p.listen);
      if (p.placement === 'registry' && typeof p.upstream !== 'string' && 'discovery' in p.upstream) {
        const entry = `${p.upstream.discovery.etcd.url} ${p.upstream.discovery.key}`;
        if (repointed.has(entry))
          ctx.addIssue({
            code: 'custom',
            path: ['proxies', i, 'upstream', 'discovery', 'key'],
            message: `registry entry ${p.upstream.discovery.key} is already re-pointed by another proxy`,
          });
        repointed.add(entry);
      }
      if (p.placement === 'registry' && (typeof p.upstream === 'string' || !('discovery' in p.upstream)))
        ctx.addIssue({
          code: 'custom',
          path: ['proxies', i, 'placement'],
          message: 'placement registry needs upstream: { discovery: { etcd: { url }, key } } (the entry it re-points)',
        });
    });
    if (typeof s.load.target === 'string' && s.load.target.startsWith('grpc://')) {
      if (!s.load.proto) {
        ctx.addIssue({
          code: 'custom',
          path: ['load', 'proto'],
          message: 'a grpc:// target needs proto (the .proto file)',
        });
      }
      if (s.load.k6)
        ctx.addIssue({ code: 'custom', path: ['load', 'k6'], message: 'k6 cannot drive a grpc:// target' });
      s.load.requests.forEach((r, i) => {
        if (!/^\/[\w.]+\/\w+$/.test(r.path)) {
          ctx.addIssue({
            code: 'custom',
            path: ['load', 'requests', i, 'path'],
            message: 'expected a gRPC method path such as /pkg.Service/Method',
          });
        }
      });
    }
    s.eventually.forEach((e, i) => {
      if (e.type === 'delivered' && e.lag && e.transport !== 'kafka')
        ctx.addIssue({
          code: 'custom',
          path: ['eventually', i, 'lag'],
          message: 'lag samples Kafka consumer group offsets: it needs transport: kafka',
        });
    });
    const known = [...proxies].join(', ');
    const checkProxy = (name: string, path: (string | number)[]): void => {
      if (!proxies.has(name))
        ctx.addIssue({ code: 'custom', path, message: `unknown proxy "${name}": expected one of ${known}` });
    };
    const phases = new Set<string>();
    s.phases.forEach((phase, i) => {
      if (phases.has(phase.name))
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'name'], message: `duplicate phase name "${phase.name}"` });
      phases.add(phase.name);
      if (phase.kind === 'fault') {
        for (const [j, f] of phase.faults.entries()) checkProxy(f.proxy, ['phases', i, 'faults', j, 'proxy']);
      }
      if (phase.kind === 'fail-first') checkProxy(phase.proxy, ['phases', i, 'proxy']);
      phase.expect.forEach((e, j) => {
        const path = ['phases', i, 'expect', j];
        const def = catalog.get(e.type);
        if (!def) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'type'],
            message: `unknown expectation type "${e.type}": expected one of ${[...catalog.keys()].join(', ')}`,
          });
          return;
        }
        const parsed = def.params.safeParse(expectationParams(e));
        if (parsed.success) return;
        for (const issue of parsed.error.issues) {
          const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
          for (const key of keys) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, ...(issue.path as (string | number)[]), ...(key === undefined ? [] : [key])],
              message: key === undefined ? `${e.type}: ${issue.message}` : `${e.type}: unknown parameter "${key}"`,
            });
          }
        }
      });
    });
  });
}

/** The parameters of an expectation entry: everything but `type` and `name`. */
export function expectationParams(entry: z.output<typeof ExpectationEntrySchema>): Record<string, unknown> {
  const { type: _type, name: _name, ...params } = entry;
  return params;
}
