import { z } from 'zod';
import { amqpUrlField, durationField, httpUrlField, nameField } from '../core/config/fields.js';
import { ServiceRefSchema } from '../core/discovery/resolve-ref.js';

// The trace check file format, version 1 (files in traces/). A check sends one
// request or message with a fresh correlation ID, collects the spans that carry
// it, and judges the rules under `expect`.

/** An HTTP request to send; msa-verify adds `x-correlation-id` (fresh per run). */
export const HttpSendSchema = z
  .strictObject({
    /** HTTP method. Default `GET`. */
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    /** Absolute URL; with `service`, a path (`/api/orders`) on the instance found there. */
    url: z.string().regex(/^(https?:\/\/[^\s/]+(\/\S*)?|\/\S*)$/, {
      message: 'expected an http:// or https:// URL (or, with service, a path starting with /)',
    }),
    /**
     * The entry service found through a registry, `{ discovery: { etcd: { url }, key } }`,
     * or DNS SRV, `{ dns: { srv, resolver } }`, when the check runs; `url` is then a path.
     */
    service: ServiceRefSchema.optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** JSON body (sent with `content-type: application/json` unless a header says otherwise); `{{correlationId}}` is replaced. */
    body: z.unknown().optional(),
    /** Status the answer must have; a different one fails the `request` rule. Default: any 2xx. */
    expectStatus: z.number().int().min(100).max(599).optional(),
    /** Time the answer has to arrive. Default `10s`. */
    timeout: durationField.default('10s'),
  })
  .superRefine((h, ctx) => {
    const isPath = h.url.startsWith('/');
    if (h.service && !isPath)
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'with service, url is a path starting with /' });
    if (!h.service && isPath)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'a path needs service (where to send it); or give a full http(s) URL',
      });
  });

/** A message to publish to RabbitMQ; msa-verify adds the correlation header. */
export const MessageSendSchema = z.strictObject({
  rabbitmq: z.strictObject({
    url: amqpUrlField,
    exchange: z.string().min(1),
    routingKey: z.string(),
    headers: z.record(z.string(), z.string()).default({}),
    /** JSON body; `{{correlationId}}` in it is replaced by the run's correlation ID. */
    body: z.unknown(),
  }),
});

export const SendSchema = z
  .strictObject({
    http: HttpSendSchema.optional(),
    message: MessageSendSchema.optional(),
    /** Header that carries the correlation ID. Default `x-correlation-id`. */
    correlationHeader: z.string().min(1).default('x-correlation-id'),
  })
  .refine((s) => (s.http === undefined) !== (s.message === undefined), {
    message: 'give either http or message (exactly one)',
  });

/** Where spans come from: Jaeger's query API, an embedded OTLP/HTTP receiver, or the preload's trace file. */
export const SourceSchema = z
  .strictObject({
    /** Jaeger query API base URL. Default: the config's `jaeger.url`. */
    jaeger: z.strictObject({ url: httpUrlField.optional() }).optional(),
    /** Receive OTLP/HTTP on 127.0.0.1:port while the check runs (services must export there). */
    otlp: z.strictObject({ port: z.number().int().min(1).max(65535) }).optional(),
    /** A JSON-lines span file written by the preload (`MSA_VERIFY_TRACES_FILE`). */
    file: z.strictObject({ path: z.string().min(1) }).optional(),
  })
  .refine((s) => [s.jaeger, s.otlp, s.file].filter(Boolean).length === 1, {
    message: 'give exactly one of jaeger, otlp or file',
  });

/** One hop of the path: a call from one service to another, directly over HTTP or through a broker. */
export const HopSchema = z.strictObject({
  from: nameField,
  to: nameField,
  /** `http` (client span → server span) or a broker (producer span → consumer span). Default `http`. */
  via: z.enum(['http', 'grpc', 'rabbitmq', 'kafka']).default('http'),
  /** Upper bound of the hop: from the start of the caller's span to the end of the callee's. */
  maxDuration: durationField.optional(),
});

/** A span allowed to have status ERROR. */
export const AllowedErrorSchema = z.strictObject({
  service: nameField,
  /** Span name; default any span of the service. */
  name: z.string().optional(),
});

export const ExpectSchema = z.strictObject({
  /** The service that receives what is sent (its server or consumer span is the trace's root). */
  root: nameField,
  hops: z.array(HopSchema).default([]),
  /** Hops happen in the order listed (by the start of the callee's span). Default false. */
  ordered: z.boolean().default(false),
  /** Every span of the trace carries `correlation.id` equal to the one sent. Default true. */
  correlation: z.boolean().default(true),
  /** Spans with status ERROR fail the check unless listed here. Default: none allowed. */
  allowErrors: z.array(AllowedErrorSchema).default([]),
  /**
   * `required`: every HTTP client span of the request (a call from one service
   * to another) used TLS, judged from its URL scheme (`url.scheme`, `url.full`,
   * `http.url`, `http.scheme`); a hop in clear fails, naming it. Default: not checked.
   */
  tls: z.enum(['required']).optional(),
  /** Every log line of the trace (by `trace_id`) in these files (globs) carries the correlation ID. */
  logs: z.strictObject({ files: z.array(z.string().min(1)).min(1) }).optional(),
});

export const TraceCheckSchema = z.strictObject({
  /** Editor hint; ignored. */
  $schema: z.string().optional(),
  version: z.literal(1),
  name: nameField,
  description: z.string().optional(),
  send: SendSchema,
  source: SourceSchema,
  /** How long to wait for late spans after the answer. Default `10s`. */
  wait: durationField.default('10s'),
  expect: ExpectSchema,
});

/** A validated trace check, defaults filled in. */
export type TraceCheck = z.output<typeof TraceCheckSchema>;
/** One hop as validated. */
export type Hop = z.output<typeof HopSchema>;

/** JSON Schema of trace check files, for editors. */
export function traceCheckJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(TraceCheckSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://msa-verify.dev/schema/msa-verify.trace.schema.json',
    title: 'msa-verify trace check',
  };
}
