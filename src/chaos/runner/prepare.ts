import { existsSync } from 'node:fs';
import path from 'node:path';
import { addressProblems } from '../../core/allow-list.js';
import { configAddresses } from '../../core/config/addresses.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import { ChaosSchema } from '../../core/config/sections.js';
import { parseDuration } from '../../core/duration.js';
import { MsaVerifyError, type Problem } from '../../core/errors.js';
import { securityFor } from '../../core/security/index.js';
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

/** The config's fields a chaos run connects to. */
const CHAOS_CONFIG_ADDRESSES = new Set(['toxiproxy.url', 'pushgateway.url']);

/**
 * Loads the config's chaos settings (defaults without a config file).
 * @throws MsaVerifyError `MSAV_TARGET_NOT_ALLOWED` (exit 2) when `toxiproxy.url` or
 *   `pushgateway.url` is outside `chaos.allowTargets`, located in the config.
 */
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
  const loaded = await loadConfig({ file, cwd, ...(options.env ? { env: options.env } : {}) });
  const chaos = loaded.config.chaos ?? ChaosSchema.parse({});
  const problems = addressProblems(
    configAddresses(loaded.config).filter((a) => CHAOS_CONFIG_ADDRESSES.has(a.path)),
    chaos.allowTargets,
    loaded.display,
    loaded.locate,
  );
  if (problems.length > 0) {
    throw new MsaVerifyError('MSAV_TARGET_NOT_ALLOWED', `${loaded.display}: address not allowed by the config`, {
      problems,
    });
  }
  return { config: loaded.config, chaos, baseDir: loaded.baseDir };
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
      const plan = planRun(
        loaded,
        { allowTargets: settings.chaos.allowTargets, maxDurationMs: parseDuration(settings.chaos.maxDuration) },
        settings.config?.toxiproxy?.url,
      );
      // A target found through a registry or DNS is resolved only when the run starts: no tls/auth for it yet.
      const target = loaded.scenario.load.target;
      const security =
        typeof target === 'string'
          ? securityFor(settings.config ?? undefined, settings.baseDir, target, {
              ...(options.env ? { env: options.env } : {}),
            })
          : undefined;
      plans.push(security && (security.tls || security.auth) ? { ...plan, security } : plan);
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
