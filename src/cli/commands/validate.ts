import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import { formatProblem, isMsaVerifyError, type Problem } from '../../core/errors.js';
import type { GlobalArgs } from '../globals.js';
import { runCommand } from '../run.js';

/** Options for {@link validate}. */
export interface ValidateOptions {
  /** Config file; default `msa-verify.config.yaml`. */
  readonly config?: string;
  /** Further files to validate (scenario files). */
  readonly files?: readonly string[];
  readonly cwd?: string;
}

/** Outcome of {@link validate}: one entry per file checked. */
export interface ValidateResult {
  readonly ok: boolean;
  readonly files: readonly { file: string; ok: boolean; problems: readonly Problem[] }[];
}

/** A validator for a kind of file other than the config, keyed by what it accepts. */
export type FileValidator = (file: string, cwd: string) => Promise<readonly Problem[]>;

const fileValidators: FileValidator[] = [];

/** Lets a domain (e.g. chaos scenarios) add its file validation. */
export function registerFileValidator(validator: FileValidator): void {
  fileValidators.push(validator);
}

/** Names the files a config implies (e.g. `chaos.scenarios`), validated when no files are given. */
export type DefaultFilesProvider = (config: Config, baseDir: string, cwd: string) => Promise<readonly string[]>;

const defaultFileProviders: DefaultFilesProvider[] = [];

/** Lets a domain say which files `msa-verify validate` checks by default. */
export function registerDefaultFiles(provider: DefaultFilesProvider): void {
  defaultFileProviders.push(provider);
}

/** Validates the config file and any given files, collecting every problem. */
export async function validate(options: ValidateOptions = {}): Promise<ValidateResult> {
  const cwd = options.cwd ?? process.cwd();
  const configFile = options.config ?? DEFAULT_CONFIG_FILE;
  const files: { file: string; ok: boolean; problems: readonly Problem[] }[] = [];
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
    const { config, baseDir } = loaded;
    toCheck = (await Promise.all(defaultFileProviders.map((p) => p(config, baseDir, cwd)))).flat();
  }
  for (const file of toCheck) {
    if (path.resolve(cwd, file) === path.resolve(cwd, configFile)) continue;
    if (fileValidators.length === 0) {
      files.push({
        file,
        ok: false,
        problems: [{ file, line: 1, column: 1, path: '', message: 'no validator is available for this file' }],
      });
      continue;
    }
    const problems = (await Promise.all(fileValidators.map((v) => v(file, cwd)))).flat();
    files.push({ file, ok: problems.length === 0, problems });
  }
  return { ok: files.every((f) => f.ok), files };
}

interface Args extends GlobalArgs {
  files?: string[];
}

export const validateCommand: CommandModule<GlobalArgs, Args> = {
  command: 'validate [files..]',
  describe: 'Validate the config file (and scenario files) offline',
  builder: (y: Argv<GlobalArgs>) =>
    y.positional('files', {
      type: 'string',
      array: true,
      describe: 'scenario files to validate as well',
    }) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) =>
    runCommand(args, async (out) => {
      const result = await validate({ config: args.config, files: args.files ?? [] });
      out.data(result);
      for (const f of result.files) {
        if (f.ok) out.line(`ok  ${f.file}`);
        for (const p of f.problems) out.error(formatProblem(p));
      }
      return result.ok ? 0 : 2;
    }),
};
