import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import { ChaosSchema } from '../../core/config/sections.js';
import { parseDuration } from '../../core/duration.js';
import { MsaVerifyError, type Problem } from '../../core/errors.js';
import { loadScenario } from '../scenario/load.js';
import type { ExpectationCatalog } from '../scenario/schema.js';
import { planRun, type RunPlan } from './plan.js';

/** The config, or its defaults when there is no config file (and none was named). */
export interface ChaosSettings {
  readonly config: Config | null;
  readonly chaos: ReturnType<typeof ChaosSchema.parse>;
  /** Folder relative paths of the config resolve against. */
  readonly baseDir: string;
}

/** Loads the config's chaos settings (defaults without a config file). */
export async function loadChaosSettings(options: {
  config?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<ChaosSettings> {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.config ?? DEFAULT_CONFIG_FILE);
  if (options.config === undefined && !existsSync(file)) {
    return { config: null, chaos: ChaosSchema.parse({}), baseDir: cwd };
  }
  const { config, baseDir } = await loadConfig({ file, cwd, ...(options.env ? { env: options.env } : {}) });
  return { config, chaos: config.chaos ?? ChaosSchema.parse({}), baseDir };
}

/**
 * Loads, validates and plans every scenario before anything runs: all
 * problems of all files are reported together (exit 2).
 */
export async function planScenarios(
  files: readonly string[],
  settings: ChaosSettings,
  catalog: ExpectationCatalog,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunPlan[]> {
  const problems: Problem[] = [];
  const plans: RunPlan[] = [];
  let first: MsaVerifyError | undefined;
  for (const file of files) {
    try {
      const loaded = await loadScenario(file, { catalog, ...options });
      plans.push(
        planRun(
          loaded,
          { allowTargets: settings.chaos.allowTargets, maxDurationMs: parseDuration(settings.chaos.maxDuration) },
          settings.config?.toxiproxy?.url,
        ),
      );
    } catch (error) {
      if (!(error instanceof MsaVerifyError)) throw error;
      first ??= error;
      problems.push(
        ...(error.problems.length ? error.problems : [{ file, line: 1, column: 1, path: '', message: error.message }]),
      );
    }
  }
  if (first) {
    throw files.length === 1
      ? first
      : new MsaVerifyError(first.code, `${problems.length} problem(s) in the scenarios`, { problems });
  }
  return plans;
}
