// The instrumentations the preload knows, keyed by short name. Each entry
// names the package it patches (null for Node built-ins) and loads its
// instrumentation lazily, so start-up only pays for what the app can use.
import type { Context, Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { ExpressRouteInstrumentation } from '../http-server/express-route.js';
import type { InstrumentSettings } from '../settings.js';
import lazyPackages from './lazy-packages.cjs';

/** What an instrumentation factory may use from the preload. */
export interface InstrumentationHooks {
  readonly settings: InstrumentSettings;
  /** Correlation ID of `ctx` (or of its span). */
  readonly correlationOf: (ctx: Context) => string | undefined;
  /** Span attributes for an outbound request: its own valid correlation header, if any. */
  readonly outboundAttributes: (headers: unknown) => Record<string, string>;
  /** Makes a producer span carry the correlation ID of the message headers the app set, if valid. */
  readonly adoptHeader: (span: Span, headers: unknown) => void;
  /** Adds `correlation_id` to a log record. */
  readonly logHook: (span: Span, record: Record<string, unknown>) => void;
}

/** One known instrumentation. */
export interface InstrumentationEntry {
  /** Short name used by OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS and the report. */
  readonly name: string;
  /** Package the app must be able to resolve; null for Node built-ins. */
  readonly target: string | null;
  /** Module specifiers the ESM loader hook must intercept. */
  readonly esmSpecifiers: readonly string[];
  /** Creates the instrumentation, disabled; the caller enables it. */
  readonly create: (hooks: InstrumentationHooks) => Instrumentation | null;
}

type Ctor<C> = new (config: C) => Instrumentation;

function load<C>(pkg: string, exportName: string): Ctor<C> {
  const loader = (lazyPackages as Record<string, () => unknown>)[pkg];
  if (loader === undefined) throw new Error(`no loader for ${pkg}`);
  return (loader() as Record<string, Ctor<C>>)[exportName]!;
}

const EXPRESS_IGNORED_LAYERS = {
  handlers: ['middleware', 'router'],
  all: [],
} as const;

/** All instrumentations, in the order they are enabled. */
export const INSTRUMENTATIONS: readonly InstrumentationEntry[] = [
  {
    name: 'http',
    target: null,
    esmSpecifiers: ['http', 'https', 'node:http', 'node:https'],
    create: (hooks) => {
      const capture = [...hooks.settings.captureHeaders];
      // Outgoing requests only: server spans come from http-server.ts (lighter per request).
      return new HttpInstrumentation({
        enabled: false,
        disableIncomingRequestInstrumentation: true,
        startOutgoingSpanHook: (options) => hooks.outboundAttributes(options.headers),
        headersToSpanAttributes: { client: { requestHeaders: capture, responseHeaders: capture } },
      });
    },
  },
  {
    // fetch() is Node's bundled undici, reported through diagnostics channels.
    name: 'undici',
    target: null,
    esmSpecifiers: [],
    create: (hooks) =>
      new UndiciInstrumentation({
        enabled: false,
        startSpanHook: (request) => hooks.outboundAttributes(request.headers),
        headersToSpanAttributes: {
          requestHeaders: [...hooks.settings.captureHeaders],
          responseHeaders: [...hooks.settings.captureHeaders],
        },
      }),
  },
  {
    name: 'express',
    target: 'express',
    esmSpecifiers: ['express'],
    create: (hooks) =>
      hooks.settings.expressSpans === 'route'
        ? new ExpressRouteInstrumentation({ enabled: false })
        : new (load<object>('@opentelemetry/instrumentation-express', 'ExpressInstrumentation'))({
            enabled: false,
            // The route names the server span either way (set before the layer filter runs).
            ignoreLayersType: EXPRESS_IGNORED_LAYERS[hooks.settings.expressSpans],
          }),
  },
  {
    // Fastify 5 reports its handlers on a diagnostics channel; no patching needed.
    name: 'fastify',
    target: 'fastify',
    esmSpecifiers: [],
    create: () => null,
  },
  {
    name: 'grpc',
    target: '@grpc/grpc-js',
    esmSpecifiers: ['@grpc/grpc-js'],
    create: () => new (load<object>('@opentelemetry/instrumentation-grpc', 'GrpcInstrumentation'))({ enabled: false }),
  },
  {
    name: 'amqplib',
    target: 'amqplib',
    esmSpecifiers: ['amqplib'],
    create: (hooks) =>
      new (load<object>('@opentelemetry/instrumentation-amqplib', 'AmqplibInstrumentation'))({
        enabled: false,
        publishHook: (span: Span, info: { options?: { headers?: unknown } }) =>
          hooks.adoptHeader(span, info.options?.headers),
      }),
  },
  {
    name: 'kafkajs',
    target: 'kafkajs',
    esmSpecifiers: ['kafkajs'],
    create: (hooks) =>
      new (load<object>('@opentelemetry/instrumentation-kafkajs', 'KafkaJsInstrumentation'))({
        enabled: false,
        producerHook: (span: Span, info: { message?: { headers?: unknown } }) =>
          hooks.adoptHeader(span, info.message?.headers),
      }),
  },
  {
    name: 'pino',
    target: 'pino',
    esmSpecifiers: ['pino'],
    create: (hooks) =>
      new (load<object>('@opentelemetry/instrumentation-pino', 'PinoInstrumentation'))({
        enabled: false,
        disableLogSending: true,
        logHook: hooks.logHook,
      }),
  },
  {
    name: 'winston',
    target: 'winston',
    esmSpecifiers: ['winston'],
    create: (hooks) =>
      new (load<object>('@opentelemetry/instrumentation-winston', 'WinstonInstrumentation'))({
        enabled: false,
        disableLogSending: true,
        logHook: hooks.logHook,
      }),
  },
];
