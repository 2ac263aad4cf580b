// msa-verify: the library behind the CLI. Every command is a function here
// that returns data; the CLI only parses argv, renders and sets the exit code.
export {
  type ChaosResetOptions,
  type ChaosResetResult,
  chaosReset,
  type ForeignToxic,
} from './app/chaos-reset.js';
export {
  type ChaosRunOptions,
  type ChaosRunOutcome,
  chaosRun,
  rollbackActiveRuns,
} from './app/chaos-run.js';
export {
  type ContractsCanIDeployOptions,
  type ContractsOptions,
  type ContractsPublishOptions,
  type ContractsTestOptions,
  type ContractsTestResult,
  type ContractsVerifyOptions,
  contractsCanIDeploy,
  contractsPublish,
  contractsTest,
  contractsVerify,
} from './app/contracts.js';
export {
  buildDashboardFiles,
  type DashboardsBuildOptions,
  type DashboardsBuildResult,
} from './app/dashboards.js';
export { type ComponentStatus, type DoctorOptions, type DoctorResult, doctor } from './app/doctor.js';
export {
  type InstrumentCheckOptions,
  type InstrumentRunResult,
  instrumentCheck,
  instrumentRun,
} from './app/instrument.js';
export { type ReportHtmlOptions, type ReportHtmlResult, renderHtmlReport } from './app/report.js';
export { buildSchemas, type WriteSchemasOptions, type WriteSchemasResult, writeSchemas } from './app/schema.js';
export { type TraceRunOptions, type TraceRunOutcome, traceRun } from './app/trace.js';
export { type ValidatedFile, type ValidateOptions, type ValidateResult, validate } from './app/validate.js';
export type { RunProgress } from './chaos/runner/progress.js';
export type { Config, ConfigInput, Problem } from './core/index.js';
export {
  ExitCode,
  isMsaVerifyError,
  loadConfig,
  MsaVerifyError,
  parseDuration,
} from './core/index.js';
export type { ChaosRunResult, ContractsRunResult } from './core/results.js';
export type { TraceCheckResult, TraceRuleVerdict, TraceSpanRow } from './core/trace-results.js';
