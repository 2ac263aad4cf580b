// The OpenTelemetry API the preload uses. Statically imported, so that the
// preload bundle (dist/instrument/preload.js) carries it; every copy of the API
// shares the global tracer provider, propagator and context manager.
import * as api from '@opentelemetry/api';

type Api = typeof import('@opentelemetry/api');

/** `@opentelemetry/api`. */
export function otelApi(): Api {
  return api;
}
