/**
 * Process exit codes shared by every command. Outcomes are data; only the CLI
 * turns them into a code.
 */
export const ExitCode = {
  /** Everything that was checked held. */
  Passed: 0,
  /** A contract broke or an expectation was not met. */
  VerificationFailed: 1,
  /** Bad usage or invalid input (config, scenario, pact file). */
  InvalidInput: 2,
  /** A component the run needs is unreachable or missing. */
  EnvironmentUnavailable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
