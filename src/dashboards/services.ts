import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { baseDashboard, Grid, JAEGER, labelVariable, prom } from './common.js';

/** Uid of the Services dashboard. */
export const SERVICES_UID = 'msa-verify-services';

const SERVER = 'msa_verify_http_server_duration_seconds';
const CLIENT = 'msa_verify_http_client_duration_seconds';

/**
 * A Grafana Explore URL that opens the Jaeger datasource. `query` is either a
 * trace search by service or a trace id lookup. Grafana interpolates the
 * `${...}`/`$var` tokens, so they stay unencoded.
 */
export function jaegerExploreUrl(query: { service: string } | { traceId: string }): string {
  const q =
    'traceId' in query
      ? { refId: 'A', datasource: JAEGER, queryType: undefined, query: '@@TRACE@@' }
      : { refId: 'A', datasource: JAEGER, queryType: 'search', service: '@@SERVICE@@' };
  const panes = { a: { datasource: JAEGER.uid, queries: [q], range: { from: 'now-1h', to: 'now' } } };
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`
    .replace('%40%40TRACE%40%40', 'traceId' in query ? query.traceId : '')
    .replace('%40%40SERVICE%40%40', 'service' in query ? query.service : '');
}

/** Default of the dashboard's `jaeger_url` variable: where scripts/services runs Jaeger's query API and UI. */
export const DEFAULT_JAEGER_UI = 'http://127.0.0.1:16686';

/**
 * A URL of Jaeger's own UI (the query service's routes `/trace/{traceId}` and
 * `/search?service=S`), for people without Grafana. `base` and the values may
 * be Grafana tokens (`$jaeger_url`, `$trace_id`), which must stay unencoded.
 */
export function jaegerUiUrl(base: string, query: { service: string } | { traceId: string }): string {
  const root = base.replace(/\/$/, '');
  return 'traceId' in query ? `${root}/trace/${query.traceId}` : `${root}/search?service=${query.service}`;
}

/** Grafana's data-link token for the `service` label of the clicked series (not a JS template). */
const FIELD_SERVICE = ['$', '{__field.labels.service}'].join('');

function tracesLink(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder(`Traces of ${FIELD_SERVICE} in Jaeger`)
    .url(jaegerExploreUrl({ service: FIELD_SERVICE }))
    .targetBlank(true);
}

function jaegerUiLink(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder(`Traces of ${FIELD_SERVICE} in the Jaeger UI`)
    .url(jaegerUiUrl('$jaeger_url', { service: FIELD_SERVICE }))
    .targetBlank(true);
}

function rate(metric: string, extra = ''): string {
  return `rate(${metric}_count{service=~"$service"${extra}}[$__rate_interval])`;
}

/** Error ratio that is 0 (not empty) for series without errors. */
function errorRatio(metric: string, by: string, errorStatus: string): string {
  const errors = `sum by (${by}) (${rate(metric, `, status_code=~"${errorStatus}"`)})`;
  const all = `sum by (${by}) (${rate(metric)})`;
  return `(${errors} or ${all} * 0) / ${all}`;
}

function quantile(q: number, metric: string, by: string): string {
  return `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket{service=~"$service"}[$__rate_interval])))`;
}

/** Services: RED (rate, errors, duration) per service and route, and per peer for outgoing calls. */
export function servicesDashboard(): dashboard.Dashboard {
  const grid = new Grid();
  return baseDashboard(
    SERVICES_UID,
    'msa-verify: Services',
    'RED metrics that the msa-verify preload exports from instrumented services, with links to their traces.',
  )
    .withVariable(
      labelVariable('service', 'Service', `label_values(${SERVER}_count, service)`)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withVariable(new dashboard.TextBoxVariableBuilder('trace_id').label('Trace id'))
    .withVariable(
      new dashboard.TextBoxVariableBuilder('jaeger_url')
        .label('Jaeger UI')
        .description("Base URL of Jaeger's query service and UI")
        .defaultValue(DEFAULT_JAEGER_UI),
    )
    .link(
      new dashboard.DashboardLinkBuilder('Open trace $trace_id in Jaeger')
        .type(dashboard.DashboardLinkType.Link)
        .url(jaegerExploreUrl({ traceId: '$trace_id' }))
        .icon('external link')
        .targetBlank(true),
    )
    .link(
      new dashboard.DashboardLinkBuilder('Open trace $trace_id in the Jaeger UI')
        .type(dashboard.DashboardLinkType.Link)
        .url(jaegerUiUrl('$jaeger_url', { traceId: '$trace_id' }))
        .icon('external link')
        .targetBlank(true),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Request rate per route')
        .gridPos(grid.next(8, 8))
        .unit('reqps')
        .withTarget(prom(`sum by (service, route) (${rate(SERVER)})`, { legend: '{{service}} {{route}}' }))
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Error ratio per route (5xx)')
        .gridPos(grid.next(8, 8))
        .unit('percentunit')
        .withTarget(prom(errorRatio(SERVER, 'service, route', '5..'), { legend: '{{service}} {{route}}' }))
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Duration p95 per route')
        .description('Exemplars (trace_id) link to Jaeger when the preload and Prometheus record them.')
        .gridPos(grid.next(8, 8))
        .unit('s')
        .withTarget(prom(quantile(0.95, SERVER, 'service, route'), { legend: '{{service}} {{route}}', exemplar: true }))
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('RED per service and route')
        .gridPos(grid.next(24, 8))
        .withTarget(prom(`sum by (service, route) (${rate(SERVER)})`, { instant: true, table: true, refId: 'A' }))
        .withTarget(prom(errorRatio(SERVER, 'service, route', '5..'), { instant: true, table: true, refId: 'B' }))
        .withTarget(prom(quantile(0.5, SERVER, 'service, route'), { instant: true, table: true, refId: 'C' }))
        .withTarget(prom(quantile(0.99, SERVER, 'service, route'), { instant: true, table: true, refId: 'D' }))
        .withTransformation({ id: 'merge', options: {} })
        .overrideByName('Value #A', [
          { id: 'displayName', value: 'req/s' },
          { id: 'unit', value: 'reqps' },
        ])
        .overrideByName('Value #B', [
          { id: 'displayName', value: 'errors' },
          { id: 'unit', value: 'percentunit' },
        ])
        .overrideByName('Value #C', [
          { id: 'displayName', value: 'p50' },
          { id: 'unit', value: 's' },
        ])
        .overrideByName('Value #D', [
          { id: 'displayName', value: 'p99' },
          { id: 'unit', value: 's' },
        ])
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Outgoing calls per peer')
        .gridPos(grid.next(8, 8))
        .unit('reqps')
        .withTarget(prom(`sum by (service, peer) (${rate(CLIENT)})`, { legend: '{{service}} → {{peer}}' }))
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Outgoing error ratio per peer (transport errors and 5xx)')
        .gridPos(grid.next(8, 8))
        .unit('percentunit')
        .withTarget(prom(errorRatio(CLIENT, 'service, peer', '0|5..'), { legend: '{{service}} → {{peer}}' }))
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Outgoing call duration p95 per peer')
        .gridPos(grid.next(8, 8))
        .unit('s')
        .withTarget(prom(quantile(0.95, CLIENT, 'service, peer'), { legend: '{{service}} → {{peer}}', exemplar: true }))
        .dataLinks([tracesLink(), jaegerUiLink()]),
    )
    .build();
}
