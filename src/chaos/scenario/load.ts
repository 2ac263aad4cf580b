import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { interpolateEnv } from '../../core/config/interpolate.js';
import { MsaVerifyError, type Problem } from '../../core/errors.js';
import { validateSource } from '../../core/validate.js';
import { parseYamlSource } from '../../core/yaml-source.js';
import { type ExpectationCatalog, type Scenario, scenarioSchema } from './schema.js';

/** Options for {@link loadScenario}. */
export interface LoadScenarioOptions {
  /** Folder relative file names resolve against. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Environment for `${VAR:-default}` interpolation. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Expectation types and their parameter schemas (the engine's `expectationRegistry`). */
  readonly catalog: ExpectationCatalog;
}

/** A validated scenario and where it came from. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  /** Absolute path. */
  readonly file: string;
  /** Path as given / relative to cwd, for messages and reports. */
  readonly display: string;
  /** 1-based line and column of a field of the file; without it problems point at 1:1. */
  readonly locate?: (path: readonly PropertyKey[]) => { line: number; column: number };
}

/**
 * Reads, interpolates and validates a scenario file.
 * @throws MsaVerifyError `MSAV_SCENARIO_INVALID` with every located problem (exit 2).
 */
export async function loadScenario(file: string, options: LoadScenarioOptions): Promise<LoadedScenario> {
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const display = path.relative(cwd, abs) || abs;
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (cause) {
    throw new MsaVerifyError('MSAV_SCENARIO_INVALID', `scenario file not found: ${display}`, {
      cause,
      problems: [{ file: display, line: 1, column: 1, path: '', message: 'file not found or unreadable' }],
    });
  }
  const result = parseScenarioText(display, text, options.catalog, options.env ?? process.env);
  if (!result.ok) {
    throw new MsaVerifyError('MSAV_SCENARIO_INVALID', `${display}: ${result.problems.length} problem(s)`, {
      problems: result.problems,
    });
  }
  return { scenario: result.value, file: abs, display, locate: result.locate };
}

/** Validates scenario text; every problem is located (file:line:column). */
export function parseScenarioText(
  display: string,
  text: string,
  catalog: ExpectationCatalog,
  env: NodeJS.ProcessEnv,
):
  | { ok: true; value: Scenario; locate: (path: readonly PropertyKey[]) => { line: number; column: number } }
  | { ok: false; problems: Problem[] } {
  const source = parseYamlSource(display, text);
  const value = source.syntaxProblems.length > 0 ? undefined : interpolateEnv(source.value, env);
  const result = validateSource(source, scenarioSchema(catalog), value);
  return result.ok ? { ...result, locate: (p) => source.locate(p) } : result;
}

/** Problems of one scenario file (empty when valid); for `msa-verify validate`. */
export async function scenarioProblems(
  file: string,
  cwd: string,
  catalog: ExpectationCatalog,
  env: NodeJS.ProcessEnv = process.env,
): Promise<readonly Problem[]> {
  try {
    await loadScenario(file, { cwd, catalog, env });
    return [];
  } catch (error) {
    if (error instanceof MsaVerifyError) return error.problems;
    throw error;
  }
}
