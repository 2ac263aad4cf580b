// The instrumentations of third-party packages, each behind a function.
// CommonJS on purpose: in the preload bundle (scripts/bundle-instrument.ts)
// every require() below becomes a module evaluated only when its function is
// called, that is at the app's first require of the instrumented package, so
// an app pays start-up time only for the libraries it loads. Unbundled, these
// are plain requires.
const loaders: Record<string, () => unknown> = {
  '@opentelemetry/instrumentation-express': () => require('@opentelemetry/instrumentation-express'),
  '@opentelemetry/instrumentation-grpc': () => require('@opentelemetry/instrumentation-grpc'),
  '@opentelemetry/instrumentation-amqplib': () => require('@opentelemetry/instrumentation-amqplib'),
  '@opentelemetry/instrumentation-kafkajs': () => require('@opentelemetry/instrumentation-kafkajs'),
  '@opentelemetry/instrumentation-pino': () => require('@opentelemetry/instrumentation-pino'),
  '@opentelemetry/instrumentation-winston': () => require('@opentelemetry/instrumentation-winston'),
};
module.exports = loaders;
