// load: the built-in generator.
//   LoadPlan -> assertLoadPlan -> dispatch (open-model schedule, in-flight bound)
//            -> http-sender (node:http keep-alive, timeout, x-correlation-id) -> RequestSample[]
export { type Clock, systemClock } from './clock.js';
export { type DispatchOptions, dispatch, type SendOutcome } from './dispatch.js';
export { createHttpSender, type HttpSender, type HttpSenderOptions } from './http-sender.js';
export { type K6Availability, type K6RunOptions, k6Available, k6PointsToSamples, runK6 } from './k6.js';
export { createRawHttpSender } from './raw-http-sender.js';
export { type ParsedResponse, ResponseParseError, ResponseParser } from './response-parser.js';
export { assertLoadPlan, DEFAULT_MAX_IN_FLIGHT, runLoad } from './run-load.js';
export { type ClosedLoadOptions, type ClosedLoadResult, runClosedLoad } from './saturate.js';
export { dueCount, intendedAt, scheduledCount } from './schedule.js';
export { createSender } from './sender.js';
export { percentile, summarizeLatency } from './stats.js';
export type { LoadPlan, LoadRunOptions, RequestSample, RequestSpec } from './types.js';
