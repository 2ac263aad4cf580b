import { writeFileAtomic } from '../core/write-file-atomic.js';
import type { RunResult } from './types.js';

/** Options for {@link writeJsonReport}. */
export interface JsonReportOptions {
  /** The signal that stopped the run (e.g. `SIGINT`): the report is partial and says so. */
  readonly interrupted?: string;
}

/**
 * Writes results as one JSON document `{ "version": 1, "results": [...] }`,
 * atomically; a partial report of an interrupted run also has `"interrupted": "<signal>"`.
 */
export async function writeJsonReport(
  file: string,
  results: readonly RunResult[],
  options: JsonReportOptions = {},
): Promise<void> {
  const doc = { version: 1, ...(options.interrupted ? { interrupted: options.interrupted } : {}), results };
  await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}
