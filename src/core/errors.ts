import { ExitCode } from './exit-codes.js';

/**
 * Stable error codes. A code never changes meaning once released; scripts and
 * users may match on it.
 */
export const ErrorCodes = {
  MSAV_USAGE: ExitCode.InvalidInput,
  MSAV_CONFIG_NOT_FOUND: ExitCode.InvalidInput,
  MSAV_CONFIG_INVALID: ExitCode.InvalidInput,
  MSAV_SCENARIO_INVALID: ExitCode.InvalidInput,
  MSAV_TRACE_CHECK_INVALID: ExitCode.InvalidInput,
  MSAV_PACT_INVALID: ExitCode.InvalidInput,
  MSAV_DURATION_INVALID: ExitCode.InvalidInput,
  MSAV_TARGET_NOT_ALLOWED: ExitCode.InvalidInput,
  MSAV_UNKNOWN_PROVIDER: ExitCode.InvalidInput,
  MSAV_RESULTS_INVALID: ExitCode.InvalidInput,
  MSAV_COMPONENT_UNAVAILABLE: ExitCode.EnvironmentUnavailable,
  MSAV_TOXIPROXY_UNAVAILABLE: ExitCode.EnvironmentUnavailable,
  MSAV_TARGET_UNREACHABLE: ExitCode.EnvironmentUnavailable,
  MSAV_BROKER_UNAVAILABLE: ExitCode.EnvironmentUnavailable,
  /** A token could not be had: the token endpoint refused the credentials or did not answer with a token. */
  MSAV_AUTH_FAILED: ExitCode.EnvironmentUnavailable,
  MSAV_VERIFICATION_FAILED: ExitCode.VerificationFailed,
  MSAV_TOXIPROXY_REQUEST_FAILED: ExitCode.EnvironmentUnavailable,
  MSAV_DURATION_CAP_EXCEEDED: ExitCode.InvalidInput,
  /** A proxy's fixed listen address is held by another chaos run on this machine (one run per address at a time). */
  MSAV_LISTEN_BUSY: ExitCode.EnvironmentUnavailable,
  /** A run stopped by SIGINT/SIGTERM after rolling back; the CLI exits 130/143. */
  MSAV_INTERRUPTED: ExitCode.EnvironmentUnavailable,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof ErrorCodes;

/** One located problem in an input file. `line`/`column` are 1-based. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path to the field, e.g. `services.orders.url`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

const BRAND = Symbol.for('msa-verify.error');

/** Options for {@link MsaVerifyError}. */
export interface MsaVerifyErrorOptions {
  readonly cause?: unknown;
  /** Located problems for invalid-input errors; printed one per line. */
  readonly problems?: readonly Problem[];
}

/**
 * The single error type of the project. A throw means "could not run"; a
 * verification that ran and failed is returned as data, not thrown.
 */
export class MsaVerifyError extends Error {
  readonly code: ErrorCode;
  readonly problems: readonly Problem[];
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: MsaVerifyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MsaVerifyError';
    this.code = code;
    this.problems = options.problems ?? [];
  }

  /** Exit code this error maps to. */
  get exitCode(): ExitCode {
    return ErrorCodes[this.code];
  }
}

/** Brand check that works across copies of the package. */
export function isMsaVerifyError(value: unknown): value is MsaVerifyError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Exit code for anything thrown: known errors map by code, unknown ones are environment failures. */
export function exitCodeFor(error: unknown): ExitCode {
  if (isMsaVerifyError(error)) return error.exitCode;
  return ExitCode.EnvironmentUnavailable;
}

/** Formats a problem as `file:line:column  path  message`. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}  ${p.path || '(document)'}  ${p.message}`;
}
