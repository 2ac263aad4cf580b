import path from 'node:path';

/** Options for {@link renderHtmlReport}. */
export interface ReportHtmlOptions {
  /** JSON report written by `--json FILE` of `contracts`/`chaos run` (or `writeJsonReport`). */
  readonly from: string;
  /** HTML file to write. Default `report.html`. */
  readonly out?: string;
  /** Folder relative paths are resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** Outcome of {@link renderHtmlReport}. */
export interface ReportHtmlResult {
  /** The HTML file written, as given. */
  readonly file: string;
  /** Runs in the report. */
  readonly runs: number;
  /** Runs that passed. */
  readonly passed: number;
}

/** Renders a JSON report as a self-contained HTML report. */
export async function renderHtmlReport(options: ReportHtmlOptions): Promise<ReportHtmlResult> {
  const file = options.out ?? 'report.html';
  // Paths stay as given in messages unless a cwd was named.
  const at = (p: string): string => (options.cwd ? path.resolve(options.cwd, p) : p);
  const { readResultsFile } = await import('../report/html-input.js');
  const { writeHtmlReport } = await import('../report/html.js');
  const results = await readResultsFile(at(options.from));
  await writeHtmlReport(at(file), results);
  return { file, runs: results.length, passed: results.filter((r) => r.passed).length };
}
