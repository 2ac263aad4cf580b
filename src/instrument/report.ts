// The self-check report (MSA_VERIFY_INSTRUMENT_REPORT): for every known
// instrumentation, whether the app could resolve its package, whether it loaded
// it, and whether the instrumentation actually patched it. Written
// synchronously at process exit.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EsmHookMode } from './packages/esm-hooks.js';

/** Status of one instrumentation in the report. */
export type InstrumentationStatus =
  | 'patched' // the module was loaded and patched
  | 'enabled' // enabled, the module was not loaded (so nothing to patch)
  | 'not-patched' // the module was loaded but the patch never ran (e.g. unsupported version, missed ESM import)
  | 'disabled' // turned off by OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS
  | 'not-resolvable' // the app cannot resolve the package
  | 'failed'; // the instrumentation could not be created

/** One row of the report. */
export interface InstrumentationReportEntry {
  readonly name: string;
  readonly target: string | null;
  readonly status: InstrumentationStatus;
  /** True when the app loaded the target package (always true for built-ins that patched). */
  readonly used: boolean;
  readonly detail?: string;
}

/** The report file's content. */
export interface InstrumentReport {
  readonly version: 1;
  readonly pid: number;
  readonly sdkDisabled: boolean;
  readonly esmHooks: EsmHookMode;
  readonly instrumentations: readonly InstrumentationReportEntry[];
}

/** Mutable state the preload fills while the app runs. */
export interface ReportState {
  esmHooks: EsmHookMode;
  readonly rows: Map<
    string,
    {
      target: string | null;
      state: 'enabled' | 'disabled' | 'not-resolvable' | 'failed';
      detail?: string;
      patched: () => boolean;
    }
  >;
  readonly esmUrls: Set<string>;
}

/** True when `target` was loaded, through require or ESM resolution. */
export function targetLoaded(target: string, esmUrls: ReadonlySet<string>): boolean {
  return loadedFrom(target, esmUrls) !== undefined;
}

/** A file of `target` that was loaded, if any. */
export function loadedFrom(target: string, esmUrls: ReadonlySet<string>): string | undefined {
  const needle = `/node_modules/${target}/`;
  const cache = createRequire(import.meta.url).cache;
  for (const key of Object.keys(cache)) if (key.replaceAll('\\', '/').includes(needle)) return key;
  for (const url of esmUrls) if (url.includes(needle)) return url;
  return undefined;
}

/** Builds the report from the state gathered so far. */
export function buildReport(state: ReportState, sdkDisabled: boolean): InstrumentReport {
  const instrumentations: InstrumentationReportEntry[] = [];
  for (const [name, row] of state.rows) {
    const patched = row.state === 'enabled' && row.patched();
    const from = row.target === null ? undefined : loadedFrom(row.target, state.esmUrls);
    const used = patched || from !== undefined;
    let status: InstrumentationStatus = row.state;
    if (row.state === 'enabled') status = patched ? 'patched' : used ? 'not-patched' : 'enabled';
    const detail = row.detail ?? (from !== undefined ? `loaded ${from}` : undefined);
    instrumentations.push({ name, target: row.target, status, used, ...(detail ? { detail } : {}) });
  }
  return { version: 1, pid: process.pid, sdkDisabled, esmHooks: state.esmHooks, instrumentations };
}

/** Writes the report to `file` now (synchronously); never throws. */
export function writeReport(file: string, state: ReportState, sdkDisabled: boolean): void {
  try {
    writeFileSync(file, `${JSON.stringify(buildReport(state, sdkDisabled), null, 2)}\n`);
  } catch {
    // reporting only
  }
}

/** Writes the report at process exit; returns a function that writes it now. */
export function writeReportAtExit(file: string, state: ReportState, sdkDisabled: boolean): () => void {
  const write = () => writeReport(file, state, sdkDisabled);
  process.on('exit', write);
  return write;
}
