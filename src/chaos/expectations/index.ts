// expectations: PhaseEvidence (samples, spans, proxy connections, fault window)
//   -> registry[type].params.parse(fields) -> judge(params, evidence) -> ExpectationVerdict
// Assembling evidence for one phase window [from, to]:
//   samples      runLoad samples whose intendedAt falls in the window
//   spans        spansOfRequests(await source.spans({from, to}), samples' correlation ids)
//   connections  { [proxy]: tap.connections() within the window }
//   calls        { [proxy]: tapCalls(tap) within the window }  (optional, preferred when present)
// `fields` are the expectation's scenario fields without `type` (params are strict).
export { type CircuitBreakerParams, circuitBreakerExpectation, circuitBreakerParams } from './circuit-breaker.js';
export { type CallEvidence, clientSpans, dependencyCalls, type EdgeParams, isError, selectSamples } from './common.js';
export { type ErrorRateParams, errorBreakdown, errorRateExpectation, errorRateParams } from './error-rate.js';
export { type FallbackParams, fallbackExpectation, fallbackParams, partialMatch } from './fallback.js';
export { type LatencyParams, latencyExpectation, latencyParams } from './latency.js';
export { type RecoversWithinParams, recoversWithinExpectation, recoversWithinParams } from './recovers-within.js';
export { expectationRegistry, expectationTypes } from './registry.js';
export { attemptsPerTrace, type RetryParams, retryExpectation, retryParams } from './retry.js';
export { type TimeoutParams, timeoutExpectation, timeoutParams } from './timeout.js';
export type { ExpectationDefinition, PhaseEvidence } from './types.js';
