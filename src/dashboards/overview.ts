import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { baseDashboard, Grid, jobVariable, lastValue, prom, verdictMappings, verdictThresholds } from './common.js';

/** Uid of the Overview dashboard. */
export const OVERVIEW_UID = 'msa-verify-overview';

/** Overview: latest verdicts of contracts and chaos, and pass/fail over time. */
export function overviewDashboard(): dashboard.Dashboard {
  const grid = new Grid();
  const job = 'job="$job"';
  return baseDashboard(
    OVERVIEW_UID,
    'msa-verify: Overview',
    'Latest verdicts of contract verification, chaos scenarios and trace checks pushed by msa-verify, and their history.',
  )
    .withVariable(jobVariable())
    .withPanel(
      new stat.PanelBuilder()
        .title('Contracts: latest verdict')
        .description('msa_verify_run_passed of the latest contracts run (1 = every pair verified).')
        .gridPos(grid.next(6, 5))
        .withTarget(prom(`min(msa_verify_run_passed{${job}, kind="contracts"})`, { instant: true }))
        .mappings(verdictMappings())
        .thresholds(verdictThresholds())
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Chaos: latest verdict per scenario')
        .description('msa_verify_chaos_scenario_passed per scenario (1 = every expectation held).')
        .gridPos(grid.next(12, 5))
        .withTarget(
          prom(`max by (scenario) (msa_verify_chaos_scenario_passed{${job}})`, {
            instant: true,
            legend: '{{scenario}}',
          }),
        )
        .mappings(verdictMappings())
        .thresholds(verdictThresholds())
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Chaos: rollback complete')
        .description('1 when every proxy and toxic the run created was removed.')
        .gridPos(grid.next(6, 5))
        .withTarget(prom(`min(msa_verify_chaos_rollback_ok{${job}})`, { instant: true }))
        .mappings(verdictMappings())
        .thresholds(verdictThresholds())
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Trace checks: latest verdict per check')
        .description(
          'msa_verify_trace_check_passed per trace check (1 = the request was followed across every hop, in one trace, with its correlation ID).',
        )
        .gridPos(grid.next(24, 5))
        .withTarget(
          prom(`max by (check) (msa_verify_trace_check_passed{${job}})`, { instant: true, legend: '{{check}}' }),
        )
        .mappings(verdictMappings())
        .thresholds(verdictThresholds())
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .title('Pass/fail over time')
        .description(
          'Verdict of every run as it was pushed; a new run of the same kind/scenario replaces the previous.',
        )
        .gridPos(grid.next(24, 8))
        .withTarget(
          prom(`min by (kind, scenario) (msa_verify_run_passed{${job}})`, { legend: '{{kind}} {{scenario}}' }),
        )
        .mappings(verdictMappings())
        .thresholds(verdictThresholds()),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Latest runs')
        .description('End time of the latest run per kind and scenario, with its run id (find its JSON/HTML report).')
        .gridPos(grid.next(24, 8))
        .unit('dateTimeAsIso')
        .withTarget(
          prom(`max by (kind, scenario, run_id) (msa_verify_run_timestamp_seconds{${job}}) * 1000`, {
            instant: true,
            table: true,
          }),
        ),
    )
    .build();
}
