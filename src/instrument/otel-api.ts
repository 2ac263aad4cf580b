// The OpenTelemetry API loaded through require: the instrumentations load the
// CommonJS build, and sharing it avoids evaluating a second (ESM) copy at start-up.
import { createRequire } from 'node:module';

/** `@opentelemetry/api`, CommonJS build. */
export const api = createRequire(import.meta.url)('@opentelemetry/api') as typeof import('@opentelemetry/api');
