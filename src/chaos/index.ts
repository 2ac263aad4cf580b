// msa-verify/chaos: Toxiproxy fault scenarios judged from evidence.
//   scenario file -> loadScenario (zod, located problems) -> planRun (limits, allow-list, cap)
//     -> runScenario: journal + watchdog -> taps + proxies -> runLoad across phases
//        -> faults per phase -> PhaseEvidence (samples, spans, connections)
//        -> expectation registry verdicts -> rollback (always) -> ChaosRunResult
//   chaos reset: journals -> rollbackRecord (bounded calls; /reset only for owned servers)

import { expectationRegistry } from './expectations/registry.js';
import type { JudgeCatalog } from './runner/engine-contract.js';

// The container route (testcontainers): a private Toxiproxy or Jaeger as a container.
export {
  type JaegerContainer,
  type ManagedContainer,
  removeLeftoverContainers,
  startJaegerContainer,
  startToxiproxyContainer,
  type ToxiproxyContainer,
} from '../containers/index.js';
export { JsonLinesTraceSource, OtlpReceiver, type SpanRecord, type TraceSource } from '../evidence/index.js';
export { expectationRegistry, expectationTypes } from './expectations/registry.js';
export type { ExpectationDefinition } from './expectations/types.js';
export { type LoadPlan, type RequestSample, type RequestSpec, runLoad } from './load/index.js';
export type { JudgeCatalog, JudgeDefinition, PhaseEvidence } from './runner/engine-contract.js';
export { checkEventually } from './runner/eventually.js';
export {
  type ChaosLimits,
  describePlan,
  type PlannedPhase,
  planRun,
  type RunPlan,
  targetAllowed,
} from './runner/plan.js';
export { type ChaosSettings, loadChaosSettings, planScenarios } from './runner/prepare.js';
export { isErrorSample, type RunProgress } from './runner/progress.js';
export { type RunScenarioOptions, runScenario } from './runner/run-scenario.js';
export { buildScenarioJsonSchema } from './scenario/json-schema.js';
export {
  type LoadedScenario,
  type LoadScenarioOptions,
  loadScenario,
  parseScenarioText,
  scenarioProblems,
} from './scenario/load.js';
export {
  type ExpectationCatalog,
  type Phase,
  type ProxySpec,
  type Scenario,
  scenarioSchema,
} from './scenario/schema.js';
export { FAULT_TYPES, type Fault, type ToxiproxyToxic, toToxiproxyToxic } from './scenario/toxics.js';
export { startTap, type Tap } from './tap/index.js';
export { ToxiproxyClient, type ToxiproxyProxy } from './toxiproxy/client.js';
export { DEFAULT_JOURNAL_DIR, Journal, type JournalRecord, readJournals } from './toxiproxy/journal.js';
export { type CleanedRun, cleanLeftovers } from './toxiproxy/leftovers.js';
export { findToxiproxyBinary, type ManagedToxiproxy, startManagedToxiproxy } from './toxiproxy/managed.js';
export { type RollbackOutcome, rollbackRecord } from './toxiproxy/rollback.js';
export { belongsToRun, NAME_PREFIX, newRunId } from './toxiproxy/run-id.js';
export { ChaosSession, rollbackActiveSessions } from './toxiproxy/session.js';

/** Name of this domain, for diagnostics. */
export const domain = 'chaos' as const;

/** The expectation types scenarios can use (the engine's registry). */
export const expectationCatalog: JudgeCatalog = expectationRegistry;
