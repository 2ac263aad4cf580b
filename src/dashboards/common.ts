import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';

// Shared pieces of the dashboards: datasource references (the uids provisioned in
// grafana/provisioning/datasources), the `job` variable, queries and a grid layout.

/** Datasource uids; grafana/provisioning/datasources/datasources.yaml provisions exactly these. */
export const PROMETHEUS = { type: 'prometheus', uid: 'msa-verify-prometheus' } as const;
export const JAEGER = { type: 'jaeger', uid: 'msa-verify-jaeger' } as const;

/** Default Pushgateway job of msa-verify runs (`job` grouping key). */
export const DEFAULT_JOB = 'msa-verify';

/** Tag every generated dashboard carries, plus links between them. */
export const TAG = 'msa-verify';

/**
 * A query variable backed by Prometheus label values. `query` is Grafana's
 * `label_values(<series selector>, <label>)` form.
 */
export function labelVariable(
  name: string,
  label: string,
  query: string,
  current?: string,
): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (current !== undefined) v.current({ text: current, value: current, selected: true });
  return v;
}

/** The Pushgateway `job` of the runs to show; default `msa-verify`. */
export function jobVariable(): dashboard.QueryVariableBuilder {
  return labelVariable('job', 'Job', 'label_values(msa_verify_run_passed, job)', DEFAULT_JOB);
}

/** A Prometheus target. Instant queries feed stats and tables; range queries feed graphs. */
export function prom(
  expr: string,
  options: { legend?: string; instant?: boolean; table?: boolean; refId?: string; exemplar?: boolean } = {},
): DataqueryBuilder {
  const q = new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .expr(expr)
    .refId(options.refId ?? 'A');
  if (options.legend) q.legendFormat(options.legend);
  if (options.instant) q.instant();
  else q.range();
  if (options.table) q.format(PromQueryFormat.Table);
  if (options.exemplar) q.exemplar(true);
  return q;
}

/** Value mappings for 0/1 verdict gauges: 1 = PASS (green), 0 = FAIL (red). */
export function verdictMappings(): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: { '0': { text: 'FAIL', color: 'red', index: 0 }, '1': { text: 'PASS', color: 'green', index: 1 } },
    },
  ];
}

/** Thresholds that colour a 0/1 verdict: red below 1, green at 1. */
export function verdictThresholds(): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: 1, color: 'green' },
  ]);
}

/** Reduce a series to its last value (stats and gauges). */
export function lastValue(): ReduceDataOptionsBuilder {
  return new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
}

/** Links from every dashboard to the other msa-verify dashboards (by tag). */
export function siblingLinks(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('msa-verify')
    .type(dashboard.DashboardLinkType.Dashboards)
    .tags([TAG])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true);
}

/** Places panels left to right on Grafana's 24-column grid, wrapping to a new row. */
export class Grid {
  #x = 0;
  #y = 0;
  #rowHeight = 0;

  /** Next position for a panel `w` columns wide and `h` rows high. */
  next(w: number, h: number): dashboard.GridPos {
    if (this.#x + w > 24) {
      this.#x = 0;
      this.#y += this.#rowHeight;
      this.#rowHeight = 0;
    }
    const pos = { x: this.#x, y: this.#y, w, h };
    this.#x += w;
    this.#rowHeight = Math.max(this.#rowHeight, h);
    return pos;
  }
}

/** The common frame of a msa-verify dashboard: uid, title, tags, time, refresh, links. */
export function baseDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .editable()
    .time({ from: 'now-1h', to: 'now' })
    .refresh('10s')
    .timezone('browser')
    .link(siblingLinks());
}

/** A builder of any panel kind. */
export type PanelBuilder = cog.Builder<dashboard.Panel>;
