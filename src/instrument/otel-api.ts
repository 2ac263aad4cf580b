// The OpenTelemetry API loaded through require, on first use: the
// instrumentations load the CommonJS build, sharing it avoids evaluating a
// second (ESM) copy, and with OTEL_SDK_DISABLED it is never loaded at all.
import { createRequire } from 'node:module';

type Api = typeof import('@opentelemetry/api');
let cached: Api | undefined;

/** `@opentelemetry/api`, CommonJS build. */
export function otelApi(): Api {
  cached ??= createRequire(import.meta.url)('@opentelemetry/api') as Api;
  return cached;
}
