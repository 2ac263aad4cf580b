/** Options every command accepts. */
export interface GlobalArgs {
  /** Config file path. */
  config?: string;
  /** Machine-readable output on stdout. */
  json: boolean;
}
