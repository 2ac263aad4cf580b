// Adding an expectation = one file + one line here.

import { circuitBreakerExpectation } from './circuit-breaker.js';
import { errorRateExpectation } from './error-rate.js';
import { fallbackExpectation } from './fallback.js';
import { latencyExpectation } from './latency.js';
import { recoversWithinExpectation } from './recovers-within.js';
import { rejectedExpectation } from './rejected.js';
import { retryExpectation } from './retry.js';
import { timeoutExpectation } from './timeout.js';
import type { ExpectationDefinition } from './types.js';

const definitions = [
  latencyExpectation,
  errorRateExpectation,
  timeoutExpectation,
  retryExpectation,
  circuitBreakerExpectation,
  fallbackExpectation,
  recoversWithinExpectation,
  rejectedExpectation,
] as unknown as ExpectationDefinition<unknown>[];

/** Every expectation type by its `type` key. */
export const expectationRegistry: ReadonlyMap<string, ExpectationDefinition<unknown>> = new Map(
  definitions.map((d) => [d.type, d]),
);

/** The registered type names, sorted (for messages and JSON Schema enums). */
export const expectationTypes: readonly string[] = [...expectationRegistry.keys()].sort();
