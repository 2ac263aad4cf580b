import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import {
  type ContractsTestResult,
  contractsCanIDeploy,
  contractsPublish,
  contractsTest,
  contractsVerify,
  PACT_LOG_LEVELS,
  type PactLogLevel,
} from '../../app/contracts.js';
import { ExitCode } from '../../core/exit-codes.js';
import { formatContractsSummary } from '../contracts-format.js';
import { type GlobalArgs, jsonMode } from '../globals.js';
import type { Output } from '../output.js';
import { runCommand } from '../run.js';

// `msa-verify contracts [test|verify|publish|can-i-deploy]`. Bare `contracts`
// runs test then verify. `--json FILE` writes the JSON report; `--json` with no
// file keeps its global meaning (machine-readable stdout).

interface Args extends GlobalArgs {
  junit?: string;
  provider?: string;
  verbose?: boolean;
  consumerVersion?: string;
  branch?: string;
  pacticipant?: string;
  appVersion?: string;
  toEnvironment?: string;
  providerVersion?: string;
  logLevel?: PactLogLevel;
}

// The JSON report file is written by contractsVerify as a ContractsRunResult, so
// runCommand only sees the stdout half of --json.
function split(args: ArgumentsCamelCase<Args>): { global: GlobalArgs; jsonFile?: string } {
  const mode = jsonMode(args.json);
  return { global: { config: args.config, ...(mode.stdout ? { json: '' } : {}) }, jsonFile: mode.file };
}

/**
 * Consumer tests with msa-verify's lines only: the test runner's own output
 * streams with --verbose (to stderr under --json) and is shown when the tests fail.
 */
async function runTests(out: Output, args: ArgumentsCamelCase<Args>): Promise<ContractsTestResult> {
  const stream = out.json ? process.stderr : process.stdout;
  const r = await contractsTest({
    config: args.config,
    ...(args.verbose ? { onOutput: (text: string) => void stream.write(text) } : {}),
  });
  if (r.output) {
    out.error('consumer test output:');
    out.error(r.output.trimEnd());
  }
  return r;
}

async function verifyAndReport(out: Output, args: ArgumentsCamelCase<Args>, jsonFile?: string): Promise<ExitCode> {
  const result = await contractsVerify({
    config: args.config,
    provider: args.provider,
    ...(jsonFile ? { json: jsonFile } : {}),
    ...(args.junit ? { junit: args.junit } : {}),
    ...(args.providerVersion ? { providerVersion: args.providerVersion } : {}),
    ...(args.logLevel ? { logLevel: args.logLevel } : {}),
    // Pact's own report and logs, on request, on stderr (stdout may be --json).
    ...(args.verbose || args.logLevel
      ? { onPactOutput: (line: string) => void process.stderr.write(`${line}\n`) }
      : {}),
    onNote: (text) => out.error(`msa-verify: warning: ${text}`),
  });
  out.data(result);
  for (const line of formatContractsSummary(result)) out.line(line);
  return result.passed ? ExitCode.Passed : ExitCode.VerificationFailed;
}

const reportOptions = <T>(y: Argv<T>) =>
  y
    .option('junit', { type: 'string', describe: 'write a JUnit XML report to FILE' })
    .option('provider', { type: 'string', describe: "verify only this provider (other providers' pacts are ignored)" })
    .option('provider-version', {
      type: 'string',
      describe: 'provider version for published results (default contracts.providerVersion, else the git commit)',
    })
    .option('log-level', {
      type: 'string',
      choices: PACT_LOG_LEVELS,
      describe: "Pact's log level; shows Pact's own output on stderr",
    });

const verboseOption = <T>(y: Argv<T>) =>
  y.option('verbose', {
    type: 'boolean',
    default: false,
    describe:
      "show the consumer test runner's own output (shown anyway when a test fails) and Pact's own verification output",
  });

function testLine(r: ContractsTestResult): string {
  return `${r.passed ? '✓' : '✗'} consumer tests: ${r.files.length} file(s); pacts in ${r.pactDir}`;
}

const testCommand: CommandModule<Args, Args> = {
  command: 'test',
  describe: 'Run the consumer tests (vitest) and write pact files to contracts.pactDir',
  builder: (y) => verboseOption(y) as Argv<Args>,
  handler: (args) => {
    const { global } = split(args);
    return runCommand(global, async (out) => {
      const r = await runTests(out, args);
      out.data(r);
      out.line(testLine(r));
      return r.passed ? ExitCode.Passed : ExitCode.VerificationFailed;
    });
  },
};

const verifyCommand: CommandModule<Args, Args> = {
  command: 'verify',
  describe: 'Verify providers against local pacts or the Pact Broker',
  builder: (y) => verboseOption(reportOptions(y)) as Argv<Args>,
  handler: (args) => {
    const { global, jsonFile } = split(args);
    return runCommand(global, (out) => verifyAndReport(out, args, jsonFile));
  },
};

const publishCommand: CommandModule<Args, Args> = {
  command: 'publish',
  describe: "Publish the pact files to the Pact Broker (Pact's own CLI)",
  builder: (y) =>
    y
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
    y
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
    verboseOption(reportOptions(y as unknown as Argv<Args>))
      .command(testCommand)
      .command(verifyCommand)
      .command(publishCommand)
      .command(canIDeployCommand) as Argv<Args>,
  handler: (args: ArgumentsCamelCase<Args>) => {
    const { global, jsonFile } = split(args);
    return runCommand(global, async (out) => {
      const t = await runTests(out, args);
      if (!t.passed) {
        out.error(testLine(t));
        out.error('✗ consumer tests failed; provider verification skipped');
        return ExitCode.VerificationFailed;
      }
      out.line(testLine(t));
      return verifyAndReport(out, args, jsonFile);
    });
  },
};
