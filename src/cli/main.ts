#!/usr/bin/env node
// The CLI's entry. It registers command modules explicitly and keeps start-up
// light: subsystems (pact, OpenTelemetry, chaos) load inside handlers only.
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
import { registerDefaultFiles, registerFileValidator, validateCommand } from './commands/validate.js';

// Scenario files are validated by the chaos domain, loaded only when a scenario is checked.
registerFileValidator(async (file, cwd) =>
  (await import('./commands/chaos-validate.js')).validateScenarioFile(file, cwd),
);
registerDefaultFiles(async (config, baseDir, cwd) =>
  (await import('./commands/chaos-validate.js')).configuredScenarioFiles(config, baseDir, cwd),
);

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Builds the parser with every command registered. */
function buildCli(argv: readonly string[]) {
  return yargs(argv as string[])
    .scriptName('msa-verify')
    .usage('$0 <command> [options]\n\nProve observability, contracts and resilience of microservices with evidence.')
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default msa-verify.config.yaml)' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable JSON on stdout' })
    .command(validateCommand as CommandModule)
    .command(doctorCommand as CommandModule)
    .command(schemaCommand as CommandModule)
    .command(instrumentCommand as CommandModule)
    .command(chaosCommand as CommandModule)
    .command(contractsCommand as unknown as CommandModule)
    .command(dashboardsCommand as CommandModule)
    .command(reportCommand as CommandModule)
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

await buildCli(hideBin(process.argv)).parseAsync();
