import { z } from 'zod';
import { httpUrlField, nameField } from '../../core/config/fields.js';
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
    /** Start a private Toxiproxy for this run (local binary, or a container when Docker answers). */
    managed: z.boolean().optional(),
    /** Path of the toxiproxy-server binary for `managed`. Default `.tools/bin/toxiproxy-server`, then PATH. */
    binary: z.string().optional(),
  })
  .refine((t) => (t.url !== undefined) !== (t.managed === true), {
    message: 'give either url or managed: true (exactly one)',
  });

/** A proxy the run creates: clients connect to `listen`, Toxiproxy forwards to `upstream`. */
export const ProxySchema = z.strictObject({
  name: shortNameField,
  /** host:port Toxiproxy listens on (point the caller here). */
  listen: hostPortField,
  /** host:port of the real dependency (a URL is accepted: its host and port are used). */
  upstream: upstreamField,
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
   * Base URL the requests go to (e.g. the gateway), or `grpc://host:port` for
   * gRPC unary calls (then `proto` is needed and each request's `path` is a
   * method path such as `/shop.customers.v1.Customers/GetCustomer`, its `body`
   * the request message).
   */
  target: z.union([
    httpUrlField,
    z.string().regex(/^grpc:\/\/[\w.-]+:\d{1,5}$/, { message: 'expected an http(s) URL or grpc://host:port' }),
  ]),
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
export const EventuallySchema = z.strictObject({
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
      url: z.string().regex(/^https?:\/\/\S+$/, { message: 'expected an http(s) URL' }),
      /** Services whose spans are read (Jaeger queries one service at a time). */
      services: z.array(z.string().min(1)).min(1, { message: 'name at least one service' }),
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
    });
    if (s.load.target.startsWith('grpc://')) {
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
