import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { addressProblems } from '../core/allow-list.js';
import { configAddresses } from '../core/config/addresses.js';
import { DEFAULT_CONFIG_FILE, type LoadConfigResult, loadConfig } from '../core/config/load.js';
import type { Config } from '../core/config/schema.js';
import { ChaosSchema } from '../core/config/sections.js';
import { isMsaVerifyError, type Problem } from '../core/errors.js';

/** Options for {@link validate}. */
export interface ValidateOptions {
  /** Config file; default `msa-verify.config.yaml`. */
  readonly config?: string;
  /**
   * Further files to validate: scenario files and trace checks (`.yaml`,
   * `.yml`) and pact files (`.json`). Default: the scenario files the config
   * names (`chaos.scenarios`), `traces/*.yaml`, and the pact files in
   * `contracts.pactDir` (when the folder exists) and in each provider's `pactUrls`.
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
 * problem with its file, line and column: the schema, and every address
 * outside `chaos.allowTargets` (what msa-verify would connect to or listen on),
 * and a scenario's plan (duration cap, a Toxiproxy to use). Never throws for
 * invalid input: a broken file is an entry with `ok: false`.
 */
export async function validate(options: ValidateOptions = {}): Promise<ValidateResult> {
  const cwd = options.cwd ?? process.cwd();
  const configFile = options.config ?? DEFAULT_CONFIG_FILE;
  const files: ValidatedFile[] = [];
  let loaded: LoadConfigResult | undefined;
  try {
    loaded = await loadConfig({ file: configFile, cwd });
    const chaos = loaded.config.chaos ?? ChaosSchema.parse({});
    const problems = addressProblems(configAddresses(loaded.config), chaos.allowTargets, configFile, loaded.locate);
    files.push({ file: configFile, ok: problems.length === 0, problems });
  } catch (error) {
    if (!isMsaVerifyError(error)) throw error;
    const problems = error.problems.length
      ? error.problems
      : [{ file: configFile, line: 1, column: 1, path: '', message: error.message }];
    files.push({ file: configFile, ok: false, problems });
  }
  let toCheck: readonly string[] = options.files ?? [];
  if (toCheck.length === 0 && loaded) {
    toCheck = [
      ...(await configuredScenarioFiles(loaded.config, loaded.baseDir, cwd)),
      ...(await traceCheckFiles(loaded.baseDir, cwd)),
      ...(await configuredPactFiles(loaded.config, loaded.baseDir, cwd)),
    ];
  }
  for (const file of toCheck) {
    if (path.resolve(cwd, file) === path.resolve(cwd, configFile)) continue;
    const problems = /\.json$/i.test(file)
      ? await validatePactFile(file, cwd)
      : await validateYamlFile(file, cwd, loaded);
    files.push({ file, ok: problems.length === 0, problems });
  }
  return { ok: files.every((f) => f.ok), files };
}

/** A YAML file: a trace check (it has `send` and `expect`) or a chaos scenario; other files are named as unknown. */
async function validateYamlFile(
  file: string,
  cwd: string,
  config: LoadConfigResult | undefined,
): Promise<readonly Problem[]> {
  if (!/\.ya?ml$/i.test(file)) {
    return [
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message:
          'not a file msa-verify validates: expected a .yaml or .yml scenario or a .json pact file (the config is given with --config)',
      },
    ];
  }
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch(() => '');
  const trace = await import('../trace/index.js');
  if (trace.looksLikeTraceCheck(text)) {
    return trace.traceCheckProblems(file, cwd, (config?.config.chaos ?? ChaosSchema.parse({})).allowTargets);
  }
  // The chaos domain loads only when a scenario is checked.
  const chaos = await import('../chaos/index.js');
  const settings = {
    config: config?.config ?? null,
    chaos: config?.config.chaos ?? ChaosSchema.parse({}),
    baseDir: config?.baseDir ?? cwd,
  };
  try {
    await chaos.planScenarios([file], settings, chaos.expectationCatalog, { cwd });
    return [];
  } catch (error) {
    if (!isMsaVerifyError(error)) throw error;
    return error.problems.length ? error.problems : [{ file, line: 1, column: 1, path: '', message: error.message }];
  }
}

/** A pact file: JSON syntax and the V1-V4 shape, each problem at its line and column. */
async function validatePactFile(file: string, cwd: string): Promise<readonly Problem[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return [{ file, line: 1, column: 1, path: '', message: `cannot read the pact file: ${reason}` }];
  }
  if (file.endsWith('.grpc.json')) {
    const { readGrpcContract } = await import('../contracts/grpc/contract-file.js');
    try {
      await readGrpcContract(path.resolve(cwd, file), file);
      return [];
    } catch (error) {
      if (!isMsaVerifyError(error)) throw error;
      return [{ file, line: 1, column: 1, path: '', message: error.message }];
    }
  }
  const { checkPactText } = await import('../contracts/pact-files.js');
  const checked = checkPactText(file, text);
  return checked.ok ? [] : checked.problems;
}

/** The pact files the config names: `*.json` in `contracts.pactDir` (if it exists) and local `pactUrls`, relative to `cwd`. */
async function configuredPactFiles(config: Config, baseDir: string, cwd: string): Promise<string[]> {
  const contracts = config.contracts;
  if (!contracts) return [];
  const { pactFilesIn } = await import('../contracts/pact-files.js');
  const files = new Set<string>();
  for (const f of (await pactFilesIn(path.resolve(baseDir, contracts.pactDir))) ?? []) files.add(path.relative(cwd, f));
  const { readdir } = await import('node:fs/promises');
  const dir = path.resolve(baseDir, contracts.pactDir);
  for (const n of await readdir(dir).catch(() => [] as string[])) {
    if (n.endsWith('.grpc.json')) files.add(path.relative(cwd, path.join(dir, n)));
  }
  for (const p of Object.values(contracts.providers)) {
    for (const u of p.pactUrls ?? []) {
      if (!/^https?:\/\//i.test(u)) files.add(path.relative(cwd, path.resolve(baseDir, u)));
    }
  }
  return [...files].sort();
}

/** The trace checks in `traces/` next to the config (YAML), relative to `cwd`. */
async function traceCheckFiles(baseDir: string, cwd: string): Promise<string[]> {
  const files: string[] = [];
  for await (const f of glob('traces/*.{yaml,yml}', { cwd: baseDir }))
    files.push(path.relative(cwd, path.resolve(baseDir, f)));
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
