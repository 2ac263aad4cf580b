import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MsaVerifyError } from '../errors.js';
import { validateSource } from '../validate.js';
import { parseYamlSource } from '../yaml-source.js';
import { interpolateEnv } from './interpolate.js';
import { type Config, ConfigSchema } from './schema.js';
import { missingTlsFiles } from './tls-files.js';

/** Default config file name, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'msa-verify.config.yaml';

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of the config file. Default `msa-verify.config.yaml` in `cwd`. */
  readonly file?: string;
  readonly cwd?: string;
  /** Environment for `${VAR}` interpolation. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A loaded configuration and where it came from. */
export interface LoadConfigResult {
  readonly config: Config;
  /** Absolute path of the file. */
  readonly file: string;
  /** Folder relative paths in the config resolve against. */
  readonly baseDir: string;
  /** Path of the file as given (relative to cwd), for messages. */
  readonly display: string;
  /** 1-based line and column of a field of the file. */
  readonly locate: (path: readonly PropertyKey[]) => { line: number; column: number };
}

/**
 * Reads, interpolates and validates a config file.
 * @throws MsaVerifyError `MSAV_CONFIG_NOT_FOUND` or `MSAV_CONFIG_INVALID` (with located problems).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadConfigResult> {
  const cwd = options.cwd ?? process.cwd();
  const file = path.resolve(cwd, options.file ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new MsaVerifyError('MSAV_CONFIG_NOT_FOUND', `config file not found: ${file}`, { cause });
  }
  const display = path.relative(cwd, file) || file;
  const source = parseYamlSource(display, text);
  const value = source.syntaxProblems.length > 0 ? undefined : interpolateEnv(source.value, options.env ?? process.env);
  const result = validateSource(source, ConfigSchema, value);
  if (!result.ok) {
    throw new MsaVerifyError('MSAV_CONFIG_INVALID', `${display}: ${result.problems.length} problem(s)`, {
      problems: result.problems,
    });
  }
  const baseDir = path.dirname(file);
  // TLS files are checked here, once, so that no command starts half-way and then finds one missing.
  const missing = missingTlsFiles(result.value, baseDir);
  if (missing.length > 0) {
    throw new MsaVerifyError('MSAV_CONFIG_INVALID', `${display}: ${missing.length} problem(s)`, {
      problems: missing.map((m) => ({
        file: display,
        ...source.locate(m.path),
        path: m.path.join('.'),
        message: `file not found or not readable: ${m.file}`,
      })),
    });
  }
  return { config: result.value, file, baseDir, display, locate: (p) => source.locate(p) };
}
