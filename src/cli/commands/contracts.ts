import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../core/config/load.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ContractsRunResult } from '../../core/results.js';
import type { GlobalArgs } from '../globals.js';
import type { Output } from '../output.js';
import { runCommand } from '../run.js';
import { formatContractsSummary } from './contracts-format.js';
import { contractsCanIDeploy, contractsPublish, contractsTest, contractsVerify } from './contracts-run.js';

// `msa-verify contracts [test|verify|publish|can-i-deploy]`. Bare `contracts`
// runs test then verify. `--json FILE` writes the JSON report; `--json` with no
// file keeps its global meaning (machine-readable stdout).

interface Args extends Omit<GlobalArgs, 'json'> {
  json?: string | boolean;
  junit?: string;
  provider?: string;
  consumerVersion?: string;
  branch?: string;
  pacticipant?: string;
  appVersion?: string;
  toEnvironment?: string;
}

function split(args: ArgumentsCamelCase<Args>): { global: GlobalArgs; jsonFile?: string } {
  const jsonFile = typeof args.json === 'string' && args.json !== '' ? args.json : undefined;
  const stdoutJson = args.json === true || args.json === '';
  return { global: { config: args.config, json: stdoutJson }, jsonFile };
}

async function report(
  out: Output,
  args: ArgumentsCamelCase<Args>,
  jsonFile: string | undefined,
  result: ContractsRunResult,
): Promise<void> {
  out.data(result);
  for (const line of formatContractsSummary(result)) out.line(line);
  const reportMod = await import('../../report/index.js');
  if (jsonFile) await reportMod.writeJsonReport(jsonFile, [result]);
  if (args.junit) await reportMod.writeJunitReport(args.junit, [result]);
  const { config } = await loadConfig({ file: args.config ?? DEFAULT_CONFIG_FILE });
  if (config.pushgateway) {
    try {
      await reportMod.pushResults({ url: config.pushgateway.url, job: config.pushgateway.job }, [result]);
    } catch (error) {
      out.error(`msa-verify: warning: could not push results to the Pushgateway: ${(error as Error).message}`);
    }
  }
}

async function verifyAndReport(out: Output, args: ArgumentsCamelCase<Args>, jsonFile?: string): Promise<ExitCode> {
  const result = await contractsVerify({ config: args.config, provider: args.provider });
  await report(out, args, jsonFile, result);
  return result.passed ? ExitCode.Passed : ExitCode.VerificationFailed;
}

/**
 * Makes `--json` take a file for this command: the global `--json` is a
 * boolean, and yargs keeps a boolean boolean even when a subcommand declares
 * it as a string, so the declaration is removed from this command's context.
 */
function jsonTakesFile<T>(y: Argv<T>): Argv<T> {
  const options = (y as unknown as { getOptions(): unknown }).getOptions() as {
    boolean: string[];
    default: Record<string, unknown>;
  };
  options.boolean = options.boolean.filter((k) => k !== 'json');
  delete options.default.json;
  return y;
}

const reportOptions = <T>(y: Argv<T>) =>
  jsonTakesFile(y)
    .option('json', { type: 'string', describe: 'write the JSON report to FILE (no FILE: JSON on stdout)' })
    .option('junit', { type: 'string', describe: 'write a JUnit XML report to FILE' })
    .option('provider', { type: 'string', describe: 'verify only this provider' });

const testCommand: CommandModule<Args, Args> = {
  command: 'test',
  describe: 'Run the consumer tests (vitest) and write pact files to contracts.pactDir',
  builder: (y) =>
    jsonTakesFile(y).option('json', { type: 'string', describe: 'no value: JSON on stdout' }) as Argv<Args>,
  handler: (args) => {
    const { global } = split(args);
    return runCommand(global, async (out) => {
      const r = await contractsTest({ config: args.config, output: out.json ? 'stderr' : 'inherit' });
      out.data(r);
      out.line(`${r.passed ? '✓' : '✗'} consumer tests: ${r.files.length} file(s); pacts in ${r.pactDir}`);
      return r.passed ? ExitCode.Passed : ExitCode.VerificationFailed;
    });
  },
};

const verifyCommand: CommandModule<Args, Args> = {
  command: 'verify',
  describe: 'Verify providers against local pacts or the Pact Broker',
  builder: (y) => reportOptions(y) as Argv<Args>,
  handler: (args) => {
    const { global, jsonFile } = split(args);
    return runCommand(global, (out) => verifyAndReport(out, args, jsonFile));
  },
};

const publishCommand: CommandModule<Args, Args> = {
  command: 'publish',
  describe: "Publish the pact files to the Pact Broker (Pact's own CLI)",
  builder: (y) =>
    jsonTakesFile(y)
      .option('json', { type: 'string', describe: 'no value: JSON on stdout' })
      .option('consumer-version', { type: 'string', describe: 'consumer version (default contracts.consumerVersion)' })
      .option('branch', { type: 'string', describe: 'consumer branch' }) as Argv<Args>,
  handler: (args) => {
    const { global } = split(args);
    return runCommand(global, async (out) => {
      const r = await contractsPublish({
        config: args.config,
        consumerVersion: args.consumerVersion,
        branch: args.branch,
      });
      out.data(r);
      if (r.output) out.line(r.output);
      out.line(r.ok ? '✓ pacts published' : '✗ the broker did not accept the pacts');
      return r.ok ? ExitCode.Passed : ExitCode.VerificationFailed;
    });
  },
};

const canIDeployCommand: CommandModule<Args, Args> = {
  command: 'can-i-deploy',
  describe: 'Ask the Pact Broker whether a version can be deployed',
  builder: (y) =>
    jsonTakesFile(y)
      .option('json', { type: 'string', describe: 'no value: JSON on stdout' })
      .option('pacticipant', { type: 'string', demandOption: true, describe: 'application name' })
      .option('app-version', { alias: 'e', type: 'string', demandOption: true, describe: 'application version' })
      .option('to-environment', { type: 'string', describe: 'environment (default broker.environment)' }) as Argv<Args>,
  handler: (args) => {
    const { global } = split(args);
    return runCommand(global, async (out) => {
      const r = await contractsCanIDeploy({
        config: args.config,
        pacticipant: args.pacticipant ?? '',
        version: args.appVersion ?? '',
        environment: args.toEnvironment,
      });
      out.data(r);
      out.line(`${r.deployable ? '✓' : '✗'} ${args.pacticipant} ${args.appVersion}: ${r.reason}`);
      return r.deployable ? ExitCode.Passed : ExitCode.VerificationFailed;
    });
  },
};

export const contractsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'contracts',
  describe: 'Pact contracts: consumer tests, provider verification, broker (bare: test then verify)',
  builder: (y: Argv<GlobalArgs>) =>
    reportOptions(y as unknown as Argv<Args>)
      .command(testCommand)
      .command(verifyCommand)
      .command(publishCommand)
      .command(canIDeployCommand) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) => {
    const { global, jsonFile } = split(args);
    return runCommand(global, async (out) => {
      const t = await contractsTest({ config: args.config, output: out.json ? 'stderr' : 'inherit' });
      if (!t.passed) {
        out.error('✗ consumer tests failed; provider verification skipped');
        return ExitCode.VerificationFailed;
      }
      return verifyAndReport(out, args, jsonFile);
    });
  },
};
