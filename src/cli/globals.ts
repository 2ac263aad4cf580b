/** Options every command accepts. */
export interface GlobalArgs {
  /** Config file path. */
  config?: string;
  /**
   * `--json` with no value (`''`): one JSON document on stdout and nothing else.
   * `--json FILE`: the command's JSON written to FILE (the report, for
   * `contracts` and `chaos run`), with the usual human output on the terminal.
   */
  json?: string;
}

/** Where `--json` sends JSON: stdout, a file, or nowhere. */
export interface JsonMode {
  readonly stdout: boolean;
  readonly file?: string;
}

/** Reads the global `--json [FILE]` option. */
export function jsonMode(json: string | undefined): JsonMode {
  if (json === undefined) return { stdout: false };
  return json === '' ? { stdout: true } : { stdout: false, file: json };
}
