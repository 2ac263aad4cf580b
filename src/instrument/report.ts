// The self-check report (MSA_VERIFY_INSTRUMENT_REPORT): for every known
// instrumentation, whether the app could resolve its package, whether it loaded
// it (for built-ins: used it), whether the instrumentation actually patched
// it, and whether the app loaded it where no hook can (outside node_modules,
// or bundled). Written synchronously at process exit.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EsmHookMode } from './packages/esm-hooks.js';

/** Status of one instrumentation in the report. */
export type InstrumentationStatus =
  | 'patched' // the module was loaded and patched
  | 'enabled' // enabled, the module was not loaded (so nothing to patch)
  | 'not-patched' // the module was loaded but the patch never ran (e.g. unsupported version, missed ESM import)
  | 'missed' // loaded where no hook can patch it: from a file path outside node_modules, or inside a bundle
  | 'disabled' // turned off by OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS
  | 'not-resolvable' // the app cannot resolve the package
  | 'failed'; // the instrumentation could not be created

/** One row of the report. */
export interface InstrumentationReportEntry {
  readonly name: string;
  readonly target: string | null;
  readonly status: InstrumentationStatus;
  /** True when the app loaded the target package; for built-ins, when it served or sent a request through it. */
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
      /** Whether the app used a built-in (registry watchUse); absent: loaded = used. */
      used?: () => boolean;
      /** The registry's bundleSignature. */
      signature?: string;
    }
  >;
  /** ESM modules resolved under node_modules. */
  readonly esmUrls: Set<string>;
  /** ESM modules resolved outside node_modules (the app's own, vendored or bundled code). */
  readonly appUrls: Set<string>;
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
  const outside = new OutsideNodeModules(state.appUrls);
  for (const [name, row] of state.rows) {
    const patched = row.state === 'enabled' && row.patched();
    const from = row.target === null ? undefined : loadedFrom(row.target, state.esmUrls);
    const missed = row.target === null || patched ? undefined : outside.find(row.target, row.signature);
    const used = row.used?.() ?? (patched || from !== undefined || missed !== undefined);
    let status: InstrumentationStatus = row.state;
    if (missed !== undefined && (row.state === 'enabled' || row.state === 'not-resolvable')) status = 'missed';
    else if (row.state === 'enabled') status = patched ? 'patched' : used ? 'not-patched' : 'enabled';
    const detail =
      missed !== undefined
        ? `${missed}: the preload's hooks patch ${row.target} only when loaded from node_modules`
        : (row.detail ?? (from !== undefined ? `loaded ${from}` : undefined));
    instrumentations.push({ name, target: row.target, status, used, ...(detail ? { detail } : {}) });
  }
  return { version: 1, pid: process.pid, sdkDisabled, esmHooks: state.esmHooks, instrumentations };
}

/**
 * Finds a package the app loaded outside node_modules: a module whose nearest
 * package.json names it (a vendored copy or a checkout, as kafkajs's own
 * examples do with `require('../index')`), or a module containing the
 * package's bundle signature (a bundle). Runs once, at exit, in report mode.
 */
class OutsideNodeModules {
  readonly #files: string[];
  readonly #names = new Map<string, string | null>();
  readonly #texts = new Map<string, string>();

  constructor(appUrls: ReadonlySet<string>) {
    const cache = createRequire(import.meta.url).cache;
    const files = Object.keys(cache).filter((f) => !f.replaceAll('\\', '/').includes('/node_modules/'));
    for (const url of appUrls) {
      try {
        files.push(fileURLToPath(url));
      } catch {
        // not a file URL
      }
    }
    // The preload's own files name every signature (registry.ts): never theirs to report.
    const own = path.dirname(fileURLToPath(import.meta.url)) + path.sep;
    this.#files = [...new Set(files)].filter((f) => path.isAbsolute(f) && !f.startsWith(own));
  }

  /** "loaded from <file>" or "bundled in <file>", or undefined. */
  find(target: string, signature: string | undefined): string | undefined {
    for (const file of this.#files) if (this.#packageName(path.dirname(file)) === target) return `loaded from ${file}`;
    if (signature === undefined) return undefined;
    for (const file of this.#files) if (this.#text(file).includes(signature)) return `bundled in ${file}`;
    return undefined;
  }

  #packageName(dir: string): string | null {
    const known = this.#names.get(dir);
    if (known !== undefined) return known;
    let name: string | null = null;
    try {
      name = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name ?? null;
    } catch {
      const parent = path.dirname(dir);
      name = parent === dir ? null : this.#packageName(parent);
    }
    this.#names.set(dir, name);
    return name;
  }

  #text(file: string): string {
    let text = this.#texts.get(file);
    if (text === undefined) {
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = '';
      }
      this.#texts.set(file, text);
    }
    return text;
  }
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
