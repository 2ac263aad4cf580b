import { formatProblem, isMsaVerifyError } from '../core/errors.js';

/** Where a command writes. Only src/cli holds one; domain code returns data. */
export interface Output {
  /** True when `--json` was given: write one JSON document to stdout, nothing else. */
  readonly json: boolean;
  line(text?: string): void;
  error(text: string): void;
  data(value: unknown): void;
}

/** Output bound to the process streams. */
export function processOutput(json: boolean, toFile?: (value: unknown) => void): Output {
  return {
    json,
    line: (text = '') => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    error: (text) => process.stderr.write(`${text}\n`),
    data: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      toFile?.(value);
    },
  };
}

/**
 * Prints a thrown value: known errors as one line (plus their located
 * problems), unknown ones with a stack.
 */
export function reportError(out: Output, error: unknown): void {
  if (isMsaVerifyError(error)) {
    if (out.json) {
      out.data({ error: { code: error.code, message: error.message, problems: error.problems } });
    }
    out.error(`msa-verify: ${error.message} [${error.code}]`);
    for (const p of error.problems) out.error(formatProblem(p));
    return;
  }
  out.error(`msa-verify: unexpected error`);
  out.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
}
