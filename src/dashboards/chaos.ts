import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import {
  baseDashboard,
  Grid,
  jobVariable,
  labelVariable,
  lastValue,
  PROMETHEUS,
  prom,
  verdictMappings,
  verdictThresholds,
} from './common.js';

/** Uid of the Chaos dashboard. */
export const CHAOS_UID = 'msa-verify-chaos';

/** Expectation types that show retry and circuit-breaker behaviour (registry types of src/chaos). */
export const RESILIENCE_EXPECTATIONS = ['retry', 'circuit-breaker', 'fail-fast'] as const;

/** Fault windows as annotations: the sample value is the event time (seconds → ms). */
function faultAnnotation(edge: 'start' | 'end', color: string): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(`Fault ${edge}`)
    .datasource(PROMETHEUS)
    .enable(true)
    .iconColor(color)
    .expr(
      `max by (proxy, toxic, type) (msa_verify_chaos_fault_${edge}_timestamp_seconds{job="$job", scenario="$scenario"}) * 1000`,
    )
    .step('10s')
    .useValueForTime(true)
    .titleFormat(`fault ${edge}: {{type}} on {{proxy}}`)
    .textFormat('toxic {{toxic}}')
    .tagKeys('proxy,type');
}

/** Chaos: one scenario at a time: live latency and errors with fault windows, verdicts, evidence. */
export function chaosDashboard(): dashboard.Dashboard {
  const grid = new Grid();
  const sel = 'job="$job", scenario="$scenario"';
  return baseDashboard(
    CHAOS_UID,
    'msa-verify: Chaos',
    'A chaos scenario: client latency and errors during the run with fault windows, expectation verdicts (observed vs bound), retry and breaker evidence.',
  )
    .withVariable(jobVariable())
    .withVariable(
      labelVariable('scenario', 'Scenario', 'label_values(msa_verify_chaos_scenario_passed{job="$job"}, scenario)'),
    )
    .annotation(faultAnnotation('start', 'red'))
    .annotation(faultAnnotation('end', 'green'))
    .withPanel(
      new stat.PanelBuilder()
        .title('Scenario verdict')
        .gridPos(grid.next(6, 5))
        .withTarget(prom(`min(msa_verify_chaos_scenario_passed{${sel}})`, { instant: true }))
        .mappings(verdictMappings())
        .thresholds(verdictThresholds())
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Rollback complete')
        .gridPos(grid.next(6, 5))
        .withTarget(prom(`min(msa_verify_chaos_rollback_ok{${sel}})`, { instant: true }))
        .mappings(verdictMappings())
        .thresholds(verdictThresholds())
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Failed expectations')
        .gridPos(grid.next(6, 5))
        .withTarget(prom(`count(msa_verify_chaos_expectation_passed{${sel}} == 0) or vector(0)`, { instant: true }))
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Run duration')
        .gridPos(grid.next(6, 5))
        .unit('s')
        .withTarget(prom(`max(msa_verify_run_duration_seconds{${sel}, kind="chaos"})`, { instant: true }))
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Client latency during the run')
        .description('Live p50/p95/p99 pushed by the runner; fault windows are annotations.')
        .gridPos(grid.next(12, 9))
        .unit('s')
        .withTarget(
          prom(`max by (quantile) (msa_verify_chaos_live_latency_seconds{${sel}})`, { legend: 'p{{quantile}}' }),
        ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Error ratio and request rate during the run')
        .gridPos(grid.next(12, 9))
        .unit('percentunit')
        .withTarget(prom(`max by (phase) (msa_verify_chaos_live_error_ratio{${sel}})`, { legend: 'errors {{phase}}' }))
        .withTarget(
          prom(`max by (phase) (msa_verify_chaos_live_requests_per_second{${sel}})`, {
            legend: 'req/s {{phase}}',
            refId: 'B',
          }),
        )
        .overrideByQuery('B', [
          { id: 'unit', value: 'reqps' },
          { id: 'custom.axisPlacement', value: 'right' },
        ]),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Expectations: observed vs bound')
        .description('One row per expectation and phase; unit and bound as written in the scenario.')
        .gridPos(grid.next(24, 9))
        .withTarget(
          prom(`max by (phase, expectation, name, unit, bound) (msa_verify_chaos_expectation_observed{${sel}})`, {
            instant: true,
            table: true,
            refId: 'A',
          }),
        )
        .withTarget(
          prom(`max by (phase, expectation, name) (msa_verify_chaos_expectation_passed{${sel}})`, {
            instant: true,
            table: true,
            refId: 'B',
          }),
        )
        .withTransformation({ id: 'merge', options: {} })
        .overrideByName('Value #B', [
          { id: 'displayName', value: 'Verdict' },
          { id: 'mappings', value: verdictMappings() },
        ])
        .overrideByName('Value #A', [{ id: 'displayName', value: 'Observed' }]),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Retry and breaker evidence')
        .description(`Observed values of the ${RESILIENCE_EXPECTATIONS.join(', ')} expectations per phase.`)
        .gridPos(grid.next(12, 8))
        .withTarget(
          prom(
            `max by (phase, expectation, name, unit, bound) (msa_verify_chaos_expectation_observed{${sel}, expectation=~"${RESILIENCE_EXPECTATIONS.join('|')}"})`,
            { instant: true, table: true },
          ),
        ),
    )
    .withPanel(
      new barchart.PanelBuilder()
        .title('Latency per phase')
        .gridPos(grid.next(12, 8))
        .unit('s')
        .withTarget(
          prom(`max by (phase, quantile) (msa_verify_chaos_phase_latency_seconds{${sel}})`, {
            instant: true,
            table: true,
          }),
        )
        .withTransformation({
          id: 'groupingToMatrix',
          options: { rowField: 'phase', columnField: 'quantile', valueField: 'Value' },
        }),
    )
    .withPanel(
      new barchart.PanelBuilder()
        .title('Messages per scenario: published vs processed, lost, duplicated, late')
        .description(
          'delivered checks (eventually), whole run, every scenario of the job: lost and late break the check, duplicated up to maxDuplicates. Per phase: the expectations table and the HTML report.',
        )
        .gridPos(grid.next(24, 8))
        .withTarget(
          prom(`max by (scenario, result) (msa_verify_chaos_delivered_messages{job="$job", phase="all"})`, {
            instant: true,
            table: true,
          }),
        )
        .withTransformation({
          id: 'groupingToMatrix',
          options: { rowField: 'scenario', columnField: 'result', valueField: 'Value' },
        }),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Requests per phase (ok / error)')
        .gridPos(grid.next(24, 7))
        .withTarget(
          prom(`max by (phase, result) (msa_verify_chaos_phase_requests{${sel}})`, { legend: '{{phase}} {{result}}' }),
        ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Consumer lag during the runs, per scenario')
        .description(
          'Kafka consumer lag (end offsets - committed offsets, summed over partitions) of the delivered checks with lag, sampled by the runner from the start of the load until the check ended, for every scenario of the job; the annotations are the fault windows of the selected scenario. A producer behind the same fault holds its messages: the lag then rises after the heal.',
        )
        .gridPos(grid.next(24, 8))
        .unit('short')
        .withTarget(
          prom(`max by (scenario, consumer, group) (msa_verify_chaos_live_consumer_lag_messages{job="$job"})`, {
            legend: '{{scenario}}: {{consumer}} ({{group}})',
          }),
        ),
    )
    .build();
}
