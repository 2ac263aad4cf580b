// msa-verify: the library behind the CLI. Every command is also a function here.
export { buildDashboardFiles, type DashboardsBuildOptions } from './cli/commands/dashboards.js';
export { type DoctorOptions, type DoctorResult, doctor } from './cli/commands/doctor.js';
export { type ReportHtmlOptions, renderHtmlReport } from './cli/commands/report.js';
export { writeSchemas } from './cli/commands/schema.js';
export { type ValidateOptions, type ValidateResult, validate } from './cli/commands/validate.js';
export type { Config, ConfigInput, Problem } from './core/index.js';
export {
  ExitCode,
  isMsaVerifyError,
  loadConfig,
  MsaVerifyError,
  parseDuration,
} from './core/index.js';
