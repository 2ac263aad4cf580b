import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../core/config/load.js';
import type { Config } from '../core/config/schema.js';
import { ChaosSchema } from '../core/config/sections.js';
import { isMsaVerifyError, type Problem } from '../core/errors.js';

/** Options for {@link validate}. */
export interface ValidateOptions {
  /** Config file; default `msa-verify.config.yaml`. */
  readonly config?: string;
  /**
   * Further files to validate (scenario files, trace checks). Default: the
   * scenario files the config names (`chaos.scenarios`) and `traces/*.yaml`.
   */
  readonly files?: readonly string[];
  /** Folder that relative paths are resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** One file checked by {@link validate}. */
export interface ValidatedFile {
  readonly file: string;
  readonly ok: boolean;
  readonly problems: readonly Problem[];
}

/** Outcome of {@link validate}: one entry per file checked. */
export interface ValidateResult {
  readonly ok: boolean;
  readonly files: readonly ValidatedFile[];
}

/**
 * Validates the config file and the scenario files offline, collecting every
 * problem with its file, line and column. Never throws for invalid input: a
 * broken file is an entry with `ok: false`.
 */
export async function validate(options: ValidateOptions = {}): Promise<ValidateResult> {
  const cwd = options.cwd ?? process.cwd();
  const configFile = options.config ?? DEFAULT_CONFIG_FILE;
  const files: ValidatedFile[] = [];
  let loaded: { config: Config; baseDir: string } | undefined;
  try {
    loaded = await loadConfig({ file: configFile, cwd });
    files.push({ file: configFile, ok: true, problems: [] });
  } catch (error) {
    if (!isMsaVerifyError(error)) throw error;
    const problems = error.problems.length
      ? error.problems
      : [{ file: configFile, line: 1, column: 1, path: '', message: error.message }];
    files.push({ file: configFile, ok: false, problems });
  }
  let toCheck: readonly string[] = options.files ?? [];
  if (toCheck.length === 0 && loaded) {
    toCheck = [...(await configuredScenarioFiles(loaded.config, loaded.baseDir, cwd)), ...(await traceCheckFiles(cwd))];
  }
  for (const file of toCheck) {
    if (path.resolve(cwd, file) === path.resolve(cwd, configFile)) continue;
    const problems = await validateScenarioFile(file, cwd);
    files.push({ file, ok: problems.length === 0, problems });
  }
  return { ok: files.every((f) => f.ok), files };
}

/** Scenario files are YAML; anything else is named as not a file msa-verify knows. */
async function validateScenarioFile(file: string, cwd: string): Promise<readonly Problem[]> {
  if (!/\.ya?ml$/i.test(file)) {
    return [
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: 'not a scenario file: expected a .yaml or .yml file (the config is given with --config)',
      },
    ];
  }
  // A trace check (traces/*.yaml) has `send` and `expect`; everything else is a chaos scenario.
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch(() => '');
  const trace = await import('../trace/index.js');
  if (trace.looksLikeTraceCheck(text)) return trace.traceCheckProblems(file, cwd);
  // The chaos domain loads only when a scenario is checked.
  const chaos = await import('../chaos/index.js');
  return chaos.scenarioProblems(file, cwd, chaos.expectationCatalog);
}

/** The trace checks in `traces/` (YAML), relative to `cwd`. */
async function traceCheckFiles(cwd: string): Promise<string[]> {
  const files: string[] = [];
  for await (const f of glob('traces/*.{yaml,yml}', { cwd })) files.push(f);
  return files.sort();
}

/** The scenario files the config names (`chaos.scenarios` globs), relative to `cwd`. */
async function configuredScenarioFiles(config: Config, baseDir: string, cwd: string): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of (config.chaos ?? ChaosSchema.parse({})).scenarios) {
    for await (const f of glob(pattern, { cwd: baseDir })) files.add(path.relative(cwd, path.resolve(baseDir, f)));
  }
  return [...files].sort();
}
