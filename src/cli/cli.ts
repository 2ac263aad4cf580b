// The CLI proper (loaded by main.ts once the Node version is known to be
// supported). It registers command modules explicitly and keeps start-up light:
// subsystems (pact, OpenTelemetry, chaos) load inside handlers only.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { chaosCommand } from './commands/chaos.js';
import { contractsCommand } from './commands/contracts.js';
import { dashboardsCommand } from './commands/dashboards.js';
import { doctorCommand } from './commands/doctor.js';
import { instrumentCommand } from './commands/instrument.js';
import { reportCommand } from './commands/report.js';
import { schemaCommand } from './commands/schema.js';
import { traceCommand } from './commands/trace.js';
import { validateCommand } from './commands/validate.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Builds the parser with every command registered. */
function buildCli(argv: readonly string[]) {
  return yargs(argv as string[])
    .scriptName('msa-verify')
    .usage('$0 <command> [options]\n\nProve observability, contracts and resilience of microservices with evidence.')
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default msa-verify.config.yaml)' })
    .option('json', {
      type: 'string',
      describe: 'JSON output: bare --json prints it on stdout; --json FILE writes it (the report) to FILE',
    })
    .command(validateCommand as CommandModule)
    .command(doctorCommand as CommandModule)
    .command(schemaCommand as CommandModule)
    .command(instrumentCommand as CommandModule)
    .command(chaosCommand as CommandModule)
    .command(contractsCommand as unknown as CommandModule)
    .command(dashboardsCommand as CommandModule)
    .command(reportCommand as CommandModule)
    .command(traceCommand as CommandModule)
    .demandCommand(1, 'Name a command; see --help')
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(100)
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`msa-verify: ${message}\nRun msa-verify --help for usage.\n`);
      process.exitCode = 2;
    });
}

const COMMANDS = new Set([
  'validate',
  'doctor',
  'schema',
  'chaos',
  'contracts',
  'dashboards',
  'report',
  'instrument',
  'trace',
]);

/**
 * `--json` takes an optional FILE. A bare `--json` followed by a command name,
 * another option, `--`, nothing, or an existing file that is not `.json` (an
 * input such as a scenario, never to be overwritten) means stdout, so it is
 * spelled `--json=` for yargs, which would otherwise take the next word as FILE.
 */
function normalizeJsonFlag(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (arg !== '--json' || (end !== -1 && i > end)) return arg;
    const next = argv[i + 1];
    const bare =
      next === undefined || next.startsWith('-') || COMMANDS.has(next) || (existsSync(next) && !next.endsWith('.json'));
    return bare ? '--json=' : arg;
  });
}

/** Parses `argv` (without node and the script) and runs the command it names. */
export async function runCli(argv: readonly string[] = hideBin(process.argv)): Promise<void> {
  await buildCli(normalizeJsonFlag(argv)).parseAsync();
}
