import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { baseDashboard, Grid, jobVariable, lastValue, prom, verdictMappings, verdictThresholds } from './common.js';

/** Uid of the Contracts dashboard. */
export const CONTRACTS_UID = 'msa-verify-contracts';

/** Contracts: consumer × provider matrix, failing interactions, interaction counts. */
export function contractsDashboard(): dashboard.Dashboard {
  const grid = new Grid();
  const sel = 'job="$job", kind="contracts"';
  return baseDashboard(
    CONTRACTS_UID,
    'msa-verify: Contracts',
    'Pact verification per consumer/provider pair and interaction, from the latest `msa-verify contracts` run.',
  )
    .withVariable(jobVariable())
    .withPanel(
      new table.PanelBuilder()
        .title('Consumer × provider')
        .description('Rows are consumers, columns providers; PASS when every interaction of the pair verified.')
        .gridPos(grid.next(12, 8))
        .withTarget(
          prom(`max by (consumer, provider) (msa_verify_contract_pair_passed{${sel}})`, { instant: true, table: true }),
        )
        .withTransformation({
          id: 'groupingToMatrix',
          options: { rowField: 'consumer', columnField: 'provider', valueField: 'Value', emptyValue: 'null' },
        })
        .mappings(verdictMappings())
        .thresholds(verdictThresholds()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Failing interactions')
        .description('Interactions that did not verify in the latest run, over all pairs.')
        .gridPos(grid.next(6, 8))
        .withTarget(prom(`sum(msa_verify_contract_interactions{${sel}, result="failed"})`, { instant: true }))
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new stat.PanelBuilder()
        .title('Verified interactions')
        .gridPos(grid.next(6, 8))
        .withTarget(prom(`sum(msa_verify_contract_interactions{${sel}, result="passed"})`, { instant: true }))
        .reduceOptions(lastValue()),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Interactions (failing first)')
        .description('Every interaction of the latest run, FAIL first; see the JSON/HTML report for the mismatches.')
        .gridPos(grid.next(24, 10))
        .withTarget(
          prom(
            `sort(max by (consumer, provider, type, interaction) (msa_verify_contract_interaction_passed{${sel}}))`,
            {
              instant: true,
              table: true,
            },
          ),
        )
        .mappings(verdictMappings())
        .thresholds(verdictThresholds()),
    )
    .withPanel(
      new bargauge.PanelBuilder()
        .title('Interactions per pair')
        .gridPos(grid.next(12, 8))
        .withTarget(
          prom(`sum by (consumer, provider, result) (msa_verify_contract_interactions{${sel}})`, {
            instant: true,
            legend: '{{consumer}} → {{provider}} {{result}}',
          }),
        ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Verification time per pair')
        .gridPos(grid.next(12, 8))
        .unit('s')
        .withTarget(
          prom(`max by (consumer, provider) (msa_verify_contract_duration_seconds{${sel}})`, {
            legend: '{{consumer}} → {{provider}}',
          }),
        ),
    )
    .build();
}
