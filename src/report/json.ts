import { writeFileAtomic } from '../core/write-file-atomic.js';
import type { RunResult } from './types.js';

/** Writes results as one JSON document `{ "results": [...] }`, atomically. */
export async function writeJsonReport(file: string, results: readonly RunResult[]): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, results }, null, 2)}\n`);
}
