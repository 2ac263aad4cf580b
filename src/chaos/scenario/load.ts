import { MsaVerifyError, type Problem } from '../../core/errors.js';
import { type Locate, readInputFile, validateYamlText } from '../../core/yaml-input.js';
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
  readonly locate?: Locate;
}

/**
 * Reads, interpolates and validates a scenario file.
 * @throws MsaVerifyError `MSAV_SCENARIO_INVALID` with every located problem (exit 2).
 */
export async function loadScenario(file: string, options: LoadScenarioOptions): Promise<LoadedScenario> {
  const input = await readInputFile(file, options.cwd ?? process.cwd(), 'MSAV_SCENARIO_INVALID', 'scenario file');
  const display = input.display;
  const result = parseScenarioText(display, input.text, options.catalog, options.env ?? process.env);
  if (!result.ok) {
    throw new MsaVerifyError('MSAV_SCENARIO_INVALID', `${display}: ${result.problems.length} problem(s)`, {
      problems: result.problems,
    });
  }
  return { scenario: result.value, file: input.file, display, locate: result.locate };
}

/** Validates scenario text; every problem is located (file:line:column). */
export function parseScenarioText(
  display: string,
  text: string,
  catalog: ExpectationCatalog,
  env: NodeJS.ProcessEnv,
): { ok: true; value: Scenario; locate: Locate } | { ok: false; problems: Problem[] } {
  return validateYamlText(display, text, scenarioSchema(catalog), env);
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
