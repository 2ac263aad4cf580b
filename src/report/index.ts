// report: turns run results (src/core/results.ts) into files and metrics.
//   result(s) -> writeJsonReport | writeJunitReport | writeHtmlReport -> files, atomically
//             -> toExposition -> pushResults -> Pushgateway -> Prometheus -> Grafana
export { type HtmlReportOptions, toHtml, writeHtmlReport } from './html.js';
export { readResultsFile } from './html-input.js';
export { writeJsonReport } from './json.js';
export { toJunitXml, writeJunitReport } from './junit.js';
export {
  type ChaosProgress,
  type ConsumerLagProgress,
  type PushOptions,
  pushLive,
  pushLiveLag,
  pushResults,
  toExposition,
  toLiveExposition,
  toLiveLagExposition,
} from './prometheus.js';
export type { RunResult } from './types.js';
