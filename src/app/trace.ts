import { existsSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE, type LoadConfigResult, loadConfig } from '../core/config/load.js';
import { ChaosSchema } from '../core/config/sections.js';
import { MsaVerifyError } from '../core/errors.js';
import { securityFor } from '../core/security/index.js';
import type { TraceCheckResult } from '../core/trace-results.js';

/** Options for {@link traceRun}. */
export interface TraceRunOptions {
  /** Check files, relative to `cwd`. Default: `traces/*.yaml`. */
  readonly files?: readonly string[];
  /** Config file (for `jaeger.url` and `pushgateway`). Default `msa-verify.config.yaml` when it exists. */
  readonly config?: string;
  /** Write the results as a JSON report to this file. */
  readonly json?: string;
  /** Write the results as JUnit XML to this file. */
  readonly junit?: string;
  /** Write the HTML report (verdicts and a waterfall per trace) to this file. */
  readonly html?: string;
  /** Folder relative paths are resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Environment for `${VAR:-default}` in config and check files. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Time between two reads of the span source while waiting for late spans, ms. Default 250. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Each check's result as soon as it is judged. */
  readonly onResult?: (result: TraceCheckResult) => void;
  /** Something the user should know that is not a verdict (a push that failed). */
  readonly onNote?: (text: string) => void;
}

/** Outcome of {@link traceRun}. */
export interface TraceRunOutcome {
  /** True when every rule of every check held. */
  readonly passed: boolean;
  readonly results: readonly TraceCheckResult[];
}

/**
 * Runs trace checks one after another: each sends its request or message with
 * a fresh correlation ID, waits (bounded) for the spans, and judges the rules.
 * Writes the reports asked for and pushes results to the Pushgateway when the
 * config names one.
 * @throws MsaVerifyError `MSAV_TRACE_CHECK_INVALID`/`MSAV_CONFIG_INVALID` (exit 2) before anything is sent;
 *   exit 3 when the target, the broker or the span source (Jaeger) is unreachable.
 */
export async function traceRun(options: TraceRunOptions = {}): Promise<TraceRunOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const note = options.onNote ?? (() => undefined);
  const loadedConfig = await loadOptionalConfig(options.config, cwd, env);
  const config = loadedConfig?.config;
  const trace = await import('../trace/index.js');
  const files = options.files?.length ? options.files : await defaultCheckFiles(cwd);
  if (files.length === 0) {
    throw new MsaVerifyError('MSAV_USAGE', 'no trace check files given and none in traces/*.yaml');
  }
  // Every file is validated, its addresses against chaos.allowTargets, before the first request goes out.
  const allowTargets = (config?.chaos ?? ChaosSchema.parse({})).allowTargets;
  const problems = [];
  const loaded = [];
  for (const file of files) {
    try {
      loaded.push(await trace.loadTraceCheck(file, { cwd, env, allowTargets }));
    } catch (error) {
      if (!(error instanceof MsaVerifyError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) {
    throw new MsaVerifyError('MSAV_TRACE_CHECK_INVALID', `${problems.length} problem(s) in trace check files`, {
      problems,
    });
  }
  const results: TraceCheckResult[] = [];
  for (const item of loaded) {
    const finder = await trace.openSpanFinder(item.check.source, {
      cwd,
      services: trace.servicesOf(item.check),
      ...(config?.jaeger?.url ? { jaegerUrl: config.jaeger.url } : {}),
    });
    // TLS and credentials of the service the check's request goes to (config `tls`/`auth`).
    const url = item.check.send.http?.url;
    const security = url && loadedConfig ? securityFor(config, loadedConfig.baseDir, url, { env }) : undefined;
    try {
      const result = await trace.runTraceCheck(item, {
        ...(security ? { security } : {}),
        finder,
        cwd,
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      results.push(result);
      options.onResult?.(result);
    } finally {
      await finder.close();
    }
  }
  const report = await import('../report/index.js');
  if (options.json) await report.writeJsonReport(path.resolve(cwd, options.json), results);
  if (options.junit) await report.writeJunitReport(path.resolve(cwd, options.junit), results);
  if (options.html)
    await report.writeHtmlReport(path.resolve(cwd, options.html), results, { title: 'msa-verify trace checks' });
  const push = config?.pushgateway;
  if (push) {
    try {
      await report.pushResults({ url: push.url, job: push.job }, results);
    } catch (error) {
      note(`could not push results to ${push.url}: ${(error as Error).message}`);
    }
  }
  return { passed: results.every((r) => r.passed), results };
}

async function loadOptionalConfig(
  file: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<LoadConfigResult | undefined> {
  if (file === undefined && !existsSync(path.resolve(cwd, DEFAULT_CONFIG_FILE))) return undefined;
  return loadConfig({ file: file ?? DEFAULT_CONFIG_FILE, cwd, env });
}

async function defaultCheckFiles(cwd: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of glob('traces/*.{yaml,yml}', { cwd })) out.push(f);
  return out.sort();
}
