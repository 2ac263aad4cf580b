// Running a command with the preload: NODE_OPTIONS gains `--import <preload>`
// (a file URL, so it resolves from any working directory), and the self-check
// that reads the report the preload writes at exit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InstrumentationReportEntry, InstrumentReport } from './report.js';

/** File URL of the preload: the bundle next to this file (dist/instrument/preload.js), else index.js. */
export function preloadUrl(): string {
  const bundle = path.join(import.meta.dirname, 'preload.js');
  return pathToFileURL(existsSync(bundle) ? bundle : path.join(import.meta.dirname, 'index.js')).href;
}

/** `env` with `--import <preload>` appended to NODE_OPTIONS (once). */
export function withPreload(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const flag = `--import ${preloadUrl()}`;
  const current = env.NODE_OPTIONS ?? '';
  return { ...env, NODE_OPTIONS: current.includes(flag) ? current : `${current} ${flag}`.trim() };
}

/** How a child process ended. */
export type ChildEnd = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** Options for {@link runInstrumented}. */
export interface RunInstrumentedOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Stop the child with SIGTERM after this many milliseconds (check mode). */
  readonly stopAfterMs?: number;
  /** 'inherit' for `instrument --`, 'pipe' to capture (check mode). */
  readonly stdio?: 'inherit' | 'ignore';
}

/** Runs `command` with the preload; forwards SIGINT/SIGTERM; resolves with how it ended. */
export function runInstrumented(command: readonly string[], options: RunInstrumentedOptions = {}): Promise<ChildEnd> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command;
    if (!file) {
      reject(new Error('no command given'));
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: withPreload(options.env ?? process.env),
      stdio: options.stdio ?? 'inherit',
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const timer =
      options.stopAfterMs !== undefined ? setTimeout(() => child.kill('SIGTERM'), options.stopAfterMs) : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('SIGINT', forward);
      process.removeListener('SIGTERM', forward);
      resolve({ code, signal });
    });
  });
}

/** Outcome of {@link checkInstrumentation}. */
export interface CheckResult {
  /** False when a library the app loaded was not instrumented. */
  readonly ok: boolean;
  readonly report: InstrumentReport;
  /** Entries the app used that were not patched. */
  readonly missing: readonly InstrumentationReportEntry[];
  readonly end: ChildEnd;
}

/**
 * Starts the app with the preload, lets it run `runMs` (or until it exits),
 * stops it, and reads which instrumentations patched. Returns null when the
 * app ended before the preload could write its report.
 */
export async function checkInstrumentation(
  command: readonly string[],
  options: { runMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<CheckResult | null> {
  const dir = await mkdtemp(path.join(tmpdir(), 'msa-verify-check-'));
  const file = path.join(dir, 'report.json');
  try {
    const end = await runInstrumented(command, {
      env: { ...(options.env ?? process.env), MSA_VERIFY_INSTRUMENT_REPORT: file },
      cwd: options.cwd,
      stopAfterMs: options.runMs,
      stdio: 'ignore',
    });
    let report: InstrumentReport;
    try {
      report = JSON.parse(await readFile(file, 'utf8')) as InstrumentReport;
    } catch {
      return null;
    }
    const missing = report.instrumentations.filter((e) => e.used && e.status !== 'patched');
    return { ok: missing.length === 0 && !report.sdkDisabled, report, missing, end };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
