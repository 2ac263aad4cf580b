import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { ROOT } from '../support/services.js';

// A pact-js user's project (consumer tests written against pact-js, shaped
// like its e2e and messages examples: states with parameters, a message
// provider with metadata, an auth header) verified through the config alone.

const project = path.join(ROOT, 'test/fixtures/contracts/pactjs-style');
const config = path.join(project, 'msa-verify.config.yaml');
const token = `tok-${randomUUID()}`;
let pactDir: string;
let work: string;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, configFile = config): Promise<CliResult> =>
  runCli(['contracts', ...args, '--config', configFile], {
    cwd: project,
    env: { MSAV_PACT_DIR: pactDir, ANIMALS_TOKEN: token, ...env },
    timeoutMs: 90_000,
  });

/** A variant of the fixture config in a temporary folder (modules by absolute path). */
async function variant(name: string, provider: string): Promise<string> {
  const file = path.join(work, `${name}.config.yaml`);
  await writeFile(
    file,
    [
      'version: 1',
      'contracts:',
      `  pactDir: ${pactDir}`,
      '  providers:',
      '    animal-profile-service:',
      ...provider.split('\n').map((l) => `      ${l}`),
      '      requestHeaders:',
      '        authorization: { env: ANIMALS_TOKEN, prefix: "Bearer " }',
      '        x-api-version: "2"',
      '',
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  pactDir = await mkdtemp(path.join(os.tmpdir(), 'msav-pactjs-pacts-'));
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-pactjs-work-'));
});

describe('a pact-js project verified through the config alone', () => {
  it('runs the pact-js consumer tests, then verifies HTTP (states with parameters, auth header) and messages: exit 0', async () => {
    const report = path.join(work, 'run.json');
    const r = await cli(['--json', report]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ consumer tests: 1 file(s)');
    expect(r.stdout).toContain('✓ matching-service → animal-profile-service (http)  2/2 interactions');
    expect(r.stdout).toContain('✓ matching-service → animal-events (message)  1/1 interactions');
    const pact = JSON.parse(await readFile(path.join(pactDir, 'matching-service-animal-profile-service.json'), 'utf8'));
    expect(pact.interactions[0].providerStates).toEqual([{ name: 'Has an animal with ID', params: { id: 100 } }]);
    const outputs = [r.stdout, r.stderr, await readFile(report, 'utf8')];
    expect(outputs.filter((o) => o.includes(token))).toEqual([]);
  });

  it("--log-level debug shows Pact's own output on stderr, without the token; --json stdout stays JSON", async () => {
    const r = await cli(['verify', '--json', '--log-level', 'debug']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'contracts', passed: true });
    expect(r.stderr).toContain('Verifying a pact between');
    expect(r.stderr).toContain('pact_verifier');
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('exits 1 with status 401 when the token from the environment is wrong', async () => {
    const r = await cli(['verify', '--provider', 'animal-profile-service'], {
      ANIMALS_TOKEN: 'wrong-token',
      ANIMALS_EXPECTED_TOKEN: token,
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ interaction "a request for an animal with ID 100" [given Has an animal with ID]');
    expect(r.stdout).toContain('- expected: 200');
    expect(r.stdout).toContain('+ actual:   401');
    expect(r.stdout + r.stderr).not.toContain('wrong-token');
  });

  it('exits 2 naming the header and the variable when the token variable is unset', async () => {
    const r = await cli(['verify', '--provider', 'animal-profile-service'], { ANIMALS_TOKEN: '' });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'msa-verify.config.yaml:15:11: contracts.providers.animal-profile-service.requestHeaders.authorization: environment variable ANIMALS_TOKEN is not set',
    );
  });

  it('exits 1 naming state and interaction when a state has no handler; statesWithoutSetup lets it pass', async () => {
    const module = path.join(work, 'only-one-state.ts');
    await writeFile(
      module,
      [
        `import { repository, startAnimalApp } from '${path.join(project, 'animal-app.ts')}';`,
        'let app;',
        'export async function setup() { app = await startAnimalApp(); return { url: app.url }; }',
        'export async function teardown() { await app?.close(); }',
        'export const beforeEach = () => repository.clear();',
        'export const stateHandlers = {',
        "  'Has an animal with ID': async (p) => { repository.set(Number(p.id), { id: Number(p.id), first_name: 'N', last_name: 'D', animal: 'goat', eligibility: { available: true, previously_married: false } }); },",
        '};',
      ].join('\n'),
    );
    // --provider: the folder also holds animal-events' pact, which this config does not name.
    const missing = await cli(
      ['verify', '--provider', 'animal-profile-service'],
      {},
      await variant('missing', `module: ${module}`),
    );
    expect(missing.code, missing.stdout + missing.stderr).toBe(1);
    expect(missing.stdout).toContain(
      '✗ interaction "a request for an animal with ID 100 when there is none" [given Has no animals]',
    );
    expect(missing.stdout).toContain(
      'providerState: no handler for provider state "Has no animals": add it to the stateHandlers of the provider module, or list it in contracts.providers.animal-profile-service.statesWithoutSetup if it needs no set-up',
    );
    const optOut = await cli(
      ['verify', '--provider', 'animal-profile-service'],
      {},
      await variant('opt-out', `module: ${module}\nstatesWithoutSetup: ["Has no animals"]`),
    );
    expect(optOut.code, optOut.stdout + optOut.stderr).toBe(0);
  });

  it('exits 2 when module state handlers meet a command-started provider', async () => {
    const r = await cli(
      ['verify', '--provider', 'animal-profile-service'],
      {},
      await variant(
        'command',
        `module: ${path.join(project, 'animal-provider.ts')}\nurl: http://127.0.0.1:9\ncommand: node animal-main.ts`,
      ),
    );
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('contracts.providers.animal-profile-service.command: the state handlers of');
    expect(r.stderr).toContain("start the provider in the module's setup()");
    expect(r.stderr).toContain('set stateChangeUrl');
  });
});
