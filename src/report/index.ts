// report: turns run results (src/core/results.ts) into files and metrics.
//   result(s) -> writeJsonReport | writeJunitReport | (html, later) -> files, atomically
//             -> toExposition -> pushResults -> Pushgateway -> Prometheus -> Grafana
export { writeJsonReport } from './json.js';
export { toJunitXml, writeJunitReport } from './junit.js';
export { type PushOptions, pushResults, toExposition } from './prometheus.js';
export type { RunResult } from './types.js';
