// The instrumentations the preload knows, keyed by short name. Each entry
// names the package it patches (null for Node built-ins) and loads its
// instrumentation lazily, so start-up only pays for what the app can use.
// What one package needs beyond its instrumentation (a wrapper outside it, a
// second instrumentation beside it) is part of its entry, so the preload's
// start-up (sdk.ts, install.ts) handles every entry the same way.
import { createRequire } from 'node:module';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import * as api from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { ExpressRouteInstrumentation } from '../http-server/express-route.js';
import { subscribeFastify } from '../http-server/fastify-channel.js';
import { HttpServerInstrumentation } from '../http-server/http-server.js';
import { dropAppTraceHeaders, type UndiciRequestHeaders } from '../propagation/outbound-trace-headers.js';
import { parentPublishesOnRequests, type RecentRequests } from '../propagation/recent-requests.js';
import type { InstrumentSettings } from '../settings.js';
import { useCurrentAmqpConventions } from './amqp-semconv.js';
import { recordUncodedGrpcErrors } from './grpc-status.js';
import { recordGrpcChannelScheme } from './grpc-tls.js';
import lazyPackages from './lazy-packages.cjs';
import { afterFilePatch, afterModulePatch } from './module-patches.js';

const req = createRequire(import.meta.url);

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
  /** Server spans of recent requests by correlation ID (outbox publishes are parented on them). */
  readonly recentRequests: RecentRequests;
  /** Starts an HTTP SERVER span (server-span.ts); `attributes` is called only when it records. */
  readonly startServerSpan: (name: string, parent: Context, attributes: () => Attributes) => Span;
  /** True for requests the preload must not trace (its own metrics endpoint). */
  readonly isOwnRequest: (request: unknown) => boolean;
  /** Reports a problem once (the preload's diag logger). */
  readonly warn: (message: string) => void;
}

/** What every entry has. */
interface EntryBase {
  /** Short name used by OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS and the report. */
  readonly name: string;
  /** Package the app must be able to resolve; null for Node built-ins. */
  readonly target: string | null;
  /** Module specifiers the ESM loader hook must intercept. */
  readonly esmSpecifiers: readonly string[];
  /**
   * A string the package's code keeps when bundled (a class or product name),
   * so the self-check can tell that an app bundled it where no hook can patch it.
   */
  readonly bundleSignature?: string;
  /**
   * Built-ins only (the preload loads them itself, so "loaded" says nothing):
   * starts watching whether the app uses it; the probe answers. Self-check
   * reports only (costs one diagnostics-channel message, then unsubscribes).
   */
  readonly watchUse?: () => () => boolean;
}

/** A package patched by an OpenTelemetry instrumentation. */
export interface PatchingEntry extends EntryBase {
  readonly kind: 'instrumentation';
  /** Creates the instrumentation, disabled; the caller enables it. */
  readonly create: (hooks: InstrumentationHooks) => Instrumentation | null;
  /** Runs between create() and enable(), so that it sees every patch. */
  readonly beforeEnable?: (instrumentation: Instrumentation, hooks: InstrumentationHooks) => void;
  /**
   * Installs something independent beside the instrumentation, right after
   * it, even when the instrumentation failed. Must not throw (warn instead).
   */
  readonly alongside?: (hooks: InstrumentationHooks) => void;
}

/**
 * A package that reports on a diagnostics channel: subscribed at start (also
 * before the package loads; nothing to patch), counted as patched once loaded.
 */
export interface ChannelEntry extends EntryBase {
  readonly kind: 'channel';
  readonly target: string;
  readonly subscribe: (hooks: InstrumentationHooks) => void;
}

/** One known instrumentation. */
export type InstrumentationEntry = PatchingEntry | ChannelEntry;

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
    watchUse: () => {
      const requests = watchChannels(['http.server.request.start', 'http.client.request.start']);
      const listening = watchListen();
      return () => requests() || listening();
    },
    kind: 'instrumentation',
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
    alongside: installServerSpans,
  },
  {
    // fetch() is Node's bundled undici, reported through diagnostics channels.
    name: 'undici',
    target: null,
    esmSpecifiers: [],
    watchUse: () => watchChannels(['undici:request:create']),
    kind: 'instrumentation',
    create: (hooks) =>
      new UndiciInstrumentation({
        enabled: false,
        startSpanHook: (request) => hooks.outboundAttributes(request.headers),
        // Runs right before the instrumentation appends its own trace headers: one traceparent leaves.
        requestHook: (_span, request) => dropAppTraceHeaders(request as unknown as UndiciRequestHeaders),
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
    kind: 'instrumentation',
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
    kind: 'channel',
    subscribe: () => subscribeFastify(api, core),
  },
  {
    name: 'grpc',
    target: '@grpc/grpc-js',
    esmSpecifiers: ['@grpc/grpc-js'],
    bundleSignature: 'grpc-node-js/',
    kind: 'instrumentation',
    create: () => new (load<object>('@opentelemetry/instrumentation-grpc', 'GrpcInstrumentation'))({ enabled: false }),
    // A handler failing with a string or an Error without `code` must still give an ERROR span;
    // client spans say whether their channel is TLS (url.scheme), for `tls: required`.
    beforeEnable: (instrumentation, hooks) => {
      afterModulePatch(instrumentation, recordUncodedGrpcErrors);
      recordGrpcChannelScheme(instrumentation, hooks.warn);
    },
  },
  {
    name: 'amqplib',
    target: 'amqplib',
    esmSpecifiers: ['amqplib'],
    bundleSignature: 'amqp-node.github.io/amqplib',
    kind: 'instrumentation',
    create: (hooks) =>
      new (load<object>('@opentelemetry/instrumentation-amqplib', 'AmqplibInstrumentation'))({
        enabled: false,
        publishHook: (span: Span, info: { options?: { headers?: unknown } }) => {
          useCurrentAmqpConventions(span, 'publish');
          hooks.adoptHeader(span, info.options?.headers);
        },
        consumeHook: (span: Span, info: { msg?: { fields?: { deliveryTag?: number } } }) =>
          useCurrentAmqpConventions(span, 'process', info.msg?.fields?.deliveryTag),
      }),
    // Outbox publishes: a wrapper of publish outside the instrumentation's, on the patched channel classes.
    beforeEnable: (instrumentation, hooks) =>
      afterFilePatch(instrumentation, (exports) => {
        const model = exports as { Channel?: { prototype: object }; ConfirmChannel?: { prototype: object } };
        for (const cls of [model.Channel, model.ConfirmChannel]) {
          if (cls) parentPublishesOnRequests(cls.prototype, hooks.recentRequests, hooks.settings.correlationHeaders);
        }
      }),
  },
  {
    name: 'kafkajs',
    target: 'kafkajs',
    esmSpecifiers: ['kafkajs'],
    bundleSignature: 'KafkaJSNonRetriableError',
    kind: 'instrumentation',
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
    kind: 'instrumentation',
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
    kind: 'instrumentation',
    create: (hooks) =>
      new (load<object>('@opentelemetry/instrumentation-winston', 'WinstonInstrumentation'))({
        enabled: false,
        disableLogSending: true,
        logHook: hooks.logHook,
      }),
  },
];

/** A probe that turns true at the first message on any of `names`, then stops listening. */
function watchChannels(names: readonly string[]): () => boolean {
  const dc = req('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
  let used = false;
  const seen = (): void => {
    used = true;
    for (const name of names) dc.unsubscribe(name, seen);
  };
  for (const name of names) dc.subscribe(name, seen);
  return () => used;
}

/** A probe that turns true when the app starts an http or https server listening (before any request). */
function watchListen(): () => boolean {
  let used = false;
  for (const mod of ['node:http', 'node:https']) {
    // An own `listen` on the server prototype, shadowing net.Server's, removed at its first call.
    const proto = (req(mod) as { Server: { prototype: { listen: (...args: unknown[]) => unknown } } }).Server.prototype;
    if (Object.hasOwn(proto, 'listen')) continue;
    Object.defineProperty(proto, 'listen', {
      configurable: true,
      writable: true,
      value: function listen(this: { listen: (...args: unknown[]) => unknown }, ...args: unknown[]): unknown {
        used = true;
        delete (proto as { listen?: unknown }).listen;
        return this.listen(...args);
      },
    });
  }
  return () => used;
}

/** The preload's own HTTP server spans (http-server.ts), beside the outgoing-only HTTP instrumentation. */
function installServerSpans(hooks: InstrumentationHooks): void {
  try {
    new HttpServerInstrumentation(
      {
        http: req('node:http') as typeof import('node:http'),
        https: req('node:https') as typeof import('node:https'),
      },
      api,
      core,
      {
        startSpan: hooks.startServerSpan,
        isOwnRequest: hooks.isOwnRequest,
        correlationHeader: hooks.settings.correlationHeaders[0]!,
        correlationOf: hooks.correlationOf,
        captureHeaders: hooks.settings.captureHeaders,
      },
    ).enable();
  } catch (error) {
    hooks.warn(`http server spans not installed: ${(error as Error).message}`);
  }
}
