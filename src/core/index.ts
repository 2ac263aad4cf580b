// core: the shared ground every domain stands on.
//   input file -> parseYamlSource -> interpolateEnv -> zod schema -> Config | located Problems
//   errors carry a stable code; the CLI maps codes to exit codes.

export { amqpUrlField, durationField, httpUrlField, nameField } from './config/fields.js';
export { interpolateEnv } from './config/interpolate.js';
export { DEFAULT_CONFIG_FILE, type LoadConfigOptions, type LoadConfigResult, loadConfig } from './config/load.js';
export type { Config, ConfigInput } from './config/schema.js';
export { ConfigSchema, configJsonSchema } from './config/schema.js';
export {
  CORRELATION_ID_PATTERN,
  CORRELATION_ID_SOURCE,
  DEFAULT_CORRELATION_HEADER,
  isValidCorrelationId,
} from './correlation-id.js';
export { formatDuration, isDuration, parseDuration } from './duration.js';
export {
  type ErrorCode,
  ErrorCodes,
  exitCodeFor,
  formatProblem,
  isMsaVerifyError,
  MsaVerifyError,
  type MsaVerifyErrorOptions,
  type Problem,
} from './errors.js';
export { ExitCode } from './exit-codes.js';
export { describeNetError, type ProbeResult, probeHttp, probeTcp } from './probe.js';
export type {
  ChaosRunResult,
  ContractPairResult,
  ContractsRunResult,
  ExpectationVerdict,
  FaultWindow,
  InteractionResult,
  LatencySummary,
  Mismatch,
  PhaseResult,
  ProviderWithoutPacts,
  TimelinePoint,
} from './results.js';
export { type ValidateResult, validateSource } from './validate.js';
export { writeFileAtomic } from './write-file-atomic.js';
export { parseYamlSource, type YamlSource } from './yaml-source.js';
