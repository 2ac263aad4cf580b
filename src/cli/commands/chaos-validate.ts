import { glob } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../core/config/schema.js';
import { ChaosSchema } from '../../core/config/sections.js';
import type { Problem } from '../../core/errors.js';

/** Scenario-file validator for `msa-verify validate` (YAML files only; others are not its business). */
export async function validateScenarioFile(file: string, cwd: string): Promise<readonly Problem[]> {
  if (!/\.ya?ml$/i.test(file)) return [];
  const chaos = await import('../../chaos/index.js');
  return chaos.scenarioProblems(file, cwd, chaos.expectationCatalog);
}

/** The scenario files the config names (`chaos.scenarios` globs), relative to `cwd`. */
export async function configuredScenarioFiles(config: Config, baseDir: string, cwd: string): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of (config.chaos ?? ChaosSchema.parse({})).scenarios) {
    for await (const f of glob(pattern, { cwd: baseDir })) files.add(path.relative(cwd, path.resolve(baseDir, f)));
  }
  return [...files].sort();
}
