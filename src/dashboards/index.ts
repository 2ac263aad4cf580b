// msa-verify/dashboards: Grafana dashboards as code.
//   overview | contracts | chaos | services (typed builders of @grafana/grafana-foundation-sdk)
//     -> buildDashboards() -> renderDashboardJson (sorted keys) -> dashboards/*.json (committed)
//   findDashboardDrift() tells when the committed JSON no longer matches the code;
//   inspect.ts reads back the PromQL, variables and datasources for the structural and data checks.
export {
  buildDashboards,
  type DashboardDrift,
  findDashboardDrift,
  renderDashboardJson,
  writeDashboards,
} from './build.js';
export { CHAOS_UID, chaosDashboard, RESILIENCE_EXPECTATIONS } from './chaos.js';
export { DEFAULT_JOB, JAEGER, PROMETHEUS } from './common.js';
export { CONTRACTS_UID, contractsDashboard } from './contracts.js';
export {
  type DashboardQuery,
  type DashboardVariable,
  dashboardQueries,
  dashboardVariables,
  datasourceRefs,
  metricNames,
  parseLabelValues,
  substituteVariables,
  unprovisionedDatasources,
} from './inspect.js';
export { OVERVIEW_UID, overviewDashboard } from './overview.js';
export { DEFAULT_JAEGER_UI, jaegerExploreUrl, jaegerUiUrl, SERVICES_UID, servicesDashboard } from './services.js';

/** Name of this domain, for diagnostics. */
export const domain = 'dashboards' as const;
