// Installs the registry's instrumentations (registry.ts) the app can use:
//   select (enabled by settings, package resolvable; one report row each)
//   -> ESM loader hook for their specifiers, when wanted
//   -> per entry, in registry order: subscribe (diagnostics channel), or
//      create + enable now, or at the app's first require of the package
//      (CommonJS without the loader hook, package not loaded yet).
// Every entry is guarded: a failure becomes a `failed` row and one warning.
import { createRequire } from 'node:module';
import path from 'node:path';
import { type ReportState, targetLoaded } from '../report.js';
import type { InstrumentSettings } from '../settings.js';
import { alreadyLoaded, onFirstRequire } from './deferred-require.js';
import { type EsmHookResult, mainIsEsm, registerEsmHooks } from './esm-hooks.js';
import { trackPatches } from './module-patches.js';
import {
  INSTRUMENTATIONS,
  type InstrumentationEntry,
  type InstrumentationHooks,
  type PatchingEntry,
} from './registry.js';

const req = createRequire(import.meta.url);

/** What {@link installInstrumentations} needs from the preload. */
export interface InstallOptions {
  readonly settings: InstrumentSettings;
  /** Gets one row per known instrumentation, and the ESM hook mode. */
  readonly report: ReportState;
  readonly hooks: InstrumentationHooks;
  readonly warn: (message: string) => void;
}

/** Installs (or defers) every enabled, resolvable instrumentation; never throws for one entry. */
export function installInstrumentations(options: InstallOptions): void {
  const { settings, report } = options;
  const entries = selectEntries(settings, report);
  const esm = startEsmHooks(settings, entries, options.warn);
  report.esmHooks = esm.mode;
  const modulePrototype = (req('node:module') as { prototype: { require: (id: string) => unknown } }).prototype;
  for (const entry of entries) {
    if (entry.kind === 'channel') {
      entry.subscribe(options.hooks);
      const target = entry.target;
      report.rows.set(entry.name, {
        ...report.rows.get(entry.name),
        target,
        state: 'enabled',
        patched: () => targetLoaded(target, report.esmUrls),
      });
      continue;
    }
    const install = () => {
      installEntry(entry, options);
      entry.alongside?.(options.hooks);
    };
    // CommonJS only (no loader hook): a package not loaded yet gets its instrumentation at its first require.
    if (entry.target !== null && esm.mode === 'none' && !alreadyLoaded(req.cache, entry.target)) {
      onFirstRequire(modulePrototype, entry.target, install);
      continue;
    }
    install();
  }
  // Async loader only (old Nodes): cannot be awaited without blocking require(); imports right after start may be missed.
  esm.ready().catch(() => {});
}

/** The entries enabled by the settings whose package the app can resolve; every entry gets its report row. */
function selectEntries(settings: InstrumentSettings, report: ReportState): InstrumentationEntry[] {
  const appRequire = appRequires();
  return INSTRUMENTATIONS.filter((entry) => {
    const enabled =
      (settings.enabledInstrumentations?.has(entry.name) ?? true) && !settings.disabledInstrumentations.has(entry.name);
    const resolvable = entry.target === null || appRequire.some((r) => canResolve(r, entry.target!));
    const state = !enabled ? 'disabled' : !resolvable ? 'not-resolvable' : 'enabled';
    // Only a self-check run (a report file) pays for watching use.
    const used = state === 'enabled' && settings.reportFile !== undefined ? entry.watchUse?.() : undefined;
    const signature = entry.bundleSignature;
    report.rows.set(entry.name, {
      target: entry.target,
      state,
      patched: () => false,
      ...(used ? { used } : {}),
      ...(signature ? { signature } : {}),
    });
    return state === 'enabled';
  });
}

function startEsmHooks(
  settings: InstrumentSettings,
  entries: readonly InstrumentationEntry[],
  warn: (message: string) => void,
): EsmHookResult {
  // The loader hook costs every module load; a CommonJS app does not need it (require is patched directly).
  const wanted = settings.esmHooks === 'on' || (settings.esmHooks === 'auto' && mainIsEsm(process.argv[1]));
  if (!wanted) return { mode: 'none', ready: () => Promise.resolve() };
  return registerEsmHooks(
    entries.flatMap((e) => e.esmSpecifiers),
    warn,
  );
}

/** Creates, prepares and enables one instrumentation, and records the outcome in its report row. */
function installEntry(entry: PatchingEntry, { hooks, report, warn }: InstallOptions): void {
  try {
    const instrumentation = entry.create(hooks);
    if (!instrumentation) return;
    const patched = trackPatches(instrumentation);
    entry.beforeEnable?.(instrumentation, hooks);
    // Created with enabled: false (so hooks attach after tracking); some read the flag at run time.
    instrumentation.setConfig({ ...instrumentation.getConfig(), enabled: true });
    instrumentation.enable();
    report.rows.set(entry.name, { ...report.rows.get(entry.name), target: entry.target, state: 'enabled', patched });
  } catch (error) {
    report.rows.set(entry.name, {
      ...report.rows.get(entry.name),
      target: entry.target,
      state: 'failed',
      detail: (error as Error).message,
      patched: () => false,
    });
    warn(`instrumentation ${entry.name} not installed: ${(error as Error).message}`);
  }
}

/** Require functions rooted at the working directory and at the main script. */
function appRequires(): NodeJS.Require[] {
  const dirs = new Set([process.cwd()]);
  if (process.argv[1]) dirs.add(path.dirname(path.resolve(process.argv[1])));
  return [...dirs].map((dir) => createRequire(path.join(dir, '__msa_verify_resolve__.js')));
}

function canResolve(r: NodeJS.Require, pkg: string): boolean {
  for (const id of [pkg, `${pkg}/package.json`]) {
    try {
      r.resolve(id);
      return true;
    } catch (error) {
      // An ESM-only package without a `require` condition still exists.
      if ((error as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
    }
  }
  return false;
}
