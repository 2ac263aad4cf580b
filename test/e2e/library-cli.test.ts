import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../dist/index.js';
import { startFixtureBroker } from '../fixtures/contracts/broker.js';
import {
  type FixtureServer,
  startOrderPublisherFixture,
  startProductsFixture,
} from '../fixtures/contracts/providers.js';
import { runCli } from '../support/cli.js';
import { type FixtureProcess, startFixture } from '../support/instrument-process.js';
import { sampleChaosResult } from '../support/sample-results.js';
import { ROOT, serviceUrls } from '../support/services.js';

// Every command that has a --json form is also a library function: the same
// input gives the same data from `import { ... } from 'msa-verify'` (the built
// package entry) as from `msa-verify ... --json`, for good input and bad. A
// thrown MsaVerifyError is compared with the CLI's `{ error }` document.

/** Fields that differ between two runs of the same thing (clock, run id, child process id and end, runner output). */
const VOLATILE = new Set(['startedAt', 'endedAt', 'durationMs', 'latencyMs', 'at', 'end', 'output', 'runId', 'pid']);

function stable(value: unknown, extra: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(value)) return value.map((v) => stable(v, extra));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE.has(k) && !extra.has(k))
        .map(([k, v]) => [k, stable(v, extra)]),
    );
  }
  return value;
}

/** A trace check run twice differs in its ids, times and the sentences that quote them. */
const TRACE_VOLATILE = [
  'correlationId',
  'traceId',
  'spanId',
  'parentSpanId',
  'startTime',
  'observed',
  'message',
  'lastSpanToVerdictMs',
];

/** What the library gives, as the CLI would print it under --json. */
async function fromLibrary(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return JSON.parse(JSON.stringify(await call()));
  } catch (error) {
    if (!lib.isMsaVerifyError(error)) throw error;
    return { error: { code: error.code, message: error.message, problems: error.problems } };
  }
}

type Expect = 'ok' | 'not-ok' | 'error';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly call: () => Promise<unknown>;
  readonly expect: Expect;
  readonly env?: () => NodeJS.ProcessEnv;
  /** Exit code of the CLI. Default: 0 for ok, 1 for not-ok, 2 for error. */
  readonly code?: number;
  /** Further fields that differ between two runs of this case (ids and times of a trace check). */
  readonly volatile?: readonly string[];
}

/** `ok` (or `passed`, `deployable`) read from a result, so that each case proves the outcome it is named for. */
function outcomeOf(data: unknown): Expect {
  const d = data as Record<string, unknown>;
  if (d.error) return 'error';
  const flag = d.ok ?? d.passed ?? d.deployable;
  // Results without a verdict (files written, a plan; report html's `passed` is a count).
  if (typeof flag !== 'boolean') return 'ok';
  return flag ? 'ok' : 'not-ok';
}

// Made at collection time: the cases below name files in it.
const work = mkdtempSync(path.join(os.tmpdir(), 'msav-library-cli-'));
const pactDir = path.join(work, 'pacts');
let broker: Awaited<ReturnType<typeof startFixtureBroker>>;
const token = `tok-${randomUUID()}`;
const servers: FixtureServer[] = [];
const contractsProject = path.join(ROOT, 'test/fixtures/contracts/project');
const contractsConfig = path.join(contractsProject, 'msa-verify.config.yaml');
const contractsEnv: NodeJS.ProcessEnv = {};
// A real instrumented service writing the preload's trace file, for the trace check cases.
let traced: FixtureProcess | undefined;

beforeAll(async () => {
  await writeFile(path.join(work, 'results.json'), JSON.stringify({ version: 1, results: [sampleChaosResult()] }));
  await writeFile(path.join(work, 'not-a-folder'), 'a file where a folder is expected\n');
  await writeFile(path.join(work, 'no-chaos.config.yaml'), 'version: 1\n');
  // One pact for products only: orders, also configured, has none.
  await mkdir(at('one-pact'));
  await writeFile(
    at('one-pact', 'shop-ui-products.json'),
    JSON.stringify({
      consumer: { name: 'shop-ui' },
      provider: { name: 'products' },
      interactions: [
        {
          type: 'Synchronous/HTTP',
          description: 'get product p-1',
          providerStates: [{ name: 'product exists', params: { id: 'p-1' } }],
          request: { method: 'GET', path: '/api/products/p-1' },
          response: { status: 200, body: { id: 'p-1' } },
        },
      ],
      metadata: { pactSpecification: { version: '4.0' } },
    }),
  );
  broker = await startFixtureBroker(token);
  const spansFile = path.join(work, 'spans.jsonl');
  traced = await startFixture('mjs', { ROLE: 'echo', OTEL_SERVICE_NAME: 'echo', MSA_VERIFY_TRACES_FILE: spansFile });
  const check = (name: string, hops: string) =>
    [
      'version: 1',
      `name: ${name}`,
      `send: { http: { url: "${traced!.url}/echo", expectStatus: 200 } }`,
      `source: { file: { path: "${spansFile}" } }`,
      'wait: 1500ms',
      `expect: { root: echo, hops: ${hops} }`,
      '',
    ].join('\n');
  await writeFile(path.join(work, 'trace-good.yaml'), check('echo-alone', '[]'));
  await writeFile(path.join(work, 'trace-broken.yaml'), check('echo-calls-nobody', '[{ from: echo, to: nobody }]'));
  await writeFile(path.join(work, 'trace-invalid.yaml'), check('Not A Name', '[{ from: echo }]'));
  const exchange = `msav-libcli-${randomUUID().slice(0, 8)}`;
  servers.push(await startProductsFixture('good'));
  servers.push(
    await startOrderPublisherFixture({ rabbitmqUrl: serviceUrls().RABBITMQ_URL, exchange, variant: 'good' }),
  );
  Object.assign(contractsEnv, {
    MSAV_PACT_DIR: pactDir,
    PRODUCTS_URL: servers[0]!.url,
    ORDERS_URL: servers[1]!.url,
    ORDERS_EXCHANGE: exchange,
    RABBITMQ_URL: serviceUrls().RABBITMQ_URL,
    BROKER_URL: broker.url,
    PACT_BROKER_TOKEN: token,
  });
});

afterAll(async () => {
  await traced?.stop();
  for (const s of servers) await s.close();
  await broker?.close();
});

const at = (...p: string[]): string => path.join(work, ...p);
const contractsOptions = () => ({
  config: contractsConfig,
  cwd: contractsProject,
  env: { ...process.env, ...contractsEnv },
});

// In order: contracts test writes the pacts that contracts verify reads.
const cases: Case[] = [
  {
    name: 'validate: a good scenario',
    args: ['validate', 'chaos/products-slow.yaml'],
    call: () => lib.validate({ files: ['chaos/products-slow.yaml'], cwd: ROOT }),
    expect: 'ok',
  },
  {
    name: 'validate: no files (the scenarios the config names)',
    args: ['validate'],
    call: () => lib.validate({ cwd: ROOT }),
    expect: 'ok',
  },
  {
    name: 'validate: the trace checks in traces/',
    args: ['validate', 'traces/order-created.yaml', 'traces/order-event.yaml'],
    call: () => lib.validate({ files: ['traces/order-created.yaml', 'traces/order-event.yaml'], cwd: ROOT }),
    expect: 'ok',
  },
  {
    name: 'validate: a scenario with an unknown toxic',
    args: ['validate', 'test/fixtures/chaos/unknown-toxic.yaml'],
    call: () => lib.validate({ files: ['test/fixtures/chaos/unknown-toxic.yaml'], cwd: ROOT }),
    expect: 'not-ok',
    code: 2,
  },
  {
    name: 'validate: a pact file with a bad shape',
    args: ['validate', 'test/fixtures/contracts/bad-pacts/bad-shape.json'],
    call: () => lib.validate({ files: ['test/fixtures/contracts/bad-pacts/bad-shape.json'], cwd: ROOT }),
    expect: 'not-ok',
    code: 2,
  },
  {
    name: 'validate: a config with a wrong type',
    args: ['validate', '--config', 'test/fixtures/config/wrong-type.yaml'],
    call: () => lib.validate({ config: 'test/fixtures/config/wrong-type.yaml', cwd: ROOT }),
    expect: 'not-ok',
    code: 2,
  },
  { name: 'doctor: the repository config', args: ['doctor'], call: () => lib.doctor({ cwd: ROOT }), expect: 'ok' },
  {
    name: 'doctor: a config with a syntax error',
    args: ['doctor', '--config', 'test/fixtures/config/syntax-error.yaml'],
    call: () => lib.doctor({ config: 'test/fixtures/config/syntax-error.yaml', cwd: ROOT }),
    expect: 'error',
  },
  {
    name: 'schema: into a folder',
    args: ['schema', '--out', at('schema')],
    call: () => lib.writeSchemas({ out: at('schema') }),
    expect: 'ok',
  },
  {
    name: 'schema: into a file',
    args: ['schema', '--out', at('not-a-folder', 'x')],
    call: () => lib.writeSchemas({ out: at('not-a-folder', 'x') }),
    expect: 'error',
  },
  {
    name: 'dashboards build: into a folder',
    args: ['dashboards', 'build', '--out', at('dashboards')],
    call: () => lib.buildDashboardFiles({ out: at('dashboards') }),
    expect: 'ok',
  },
  {
    name: 'dashboards build: into a file',
    args: ['dashboards', 'build', '--out', at('not-a-folder', 'x')],
    call: () => lib.buildDashboardFiles({ out: at('not-a-folder', 'x') }),
    expect: 'error',
  },
  {
    name: 'report html: a JSON report',
    args: ['report', 'html', '--from', at('results.json'), '--out', at('report.html')],
    call: () => lib.renderHtmlReport({ from: at('results.json'), out: at('report.html') }),
    expect: 'ok',
  },
  {
    name: 'report html: a file that is not a report',
    args: ['report', 'html', '--from', at('no-chaos.config.yaml'), '--out', at('r.html')],
    call: () => lib.renderHtmlReport({ from: at('no-chaos.config.yaml'), out: at('r.html') }),
    expect: 'error',
  },
  {
    name: 'chaos run --dry-run: a good scenario',
    args: ['chaos', 'run', '--dry-run', 'chaos/products-slow.yaml'],
    call: () => lib.chaosRun({ files: ['chaos/products-slow.yaml'], dryRun: true, cwd: ROOT }),
    expect: 'ok',
  },
  {
    name: 'chaos run --dry-run: a broken scenario',
    args: ['chaos', 'run', '--dry-run', 'test/fixtures/chaos/missing-proxy.yaml'],
    call: () => lib.chaosRun({ files: ['test/fixtures/chaos/missing-proxy.yaml'], dryRun: true, cwd: ROOT }),
    expect: 'error',
  },
  {
    name: 'chaos reset: journals of a config without chaos runs',
    args: ['chaos', 'reset', '--config', at('no-chaos.config.yaml')],
    call: () => lib.chaosReset({ config: at('no-chaos.config.yaml'), cwd: ROOT }),
    expect: 'ok',
  },
  {
    name: 'chaos reset --all: no Toxiproxy named',
    args: ['chaos', 'reset', '--all', '--config', at('no-chaos.config.yaml')],
    call: () => lib.chaosReset({ all: true, config: at('no-chaos.config.yaml'), cwd: ROOT }),
    expect: 'error',
  },
  {
    name: 'chaos reset --all --yes: no Toxiproxy named',
    args: ['chaos', 'reset', '--all', '--yes', '--config', at('no-chaos.config.yaml')],
    call: () => lib.chaosReset({ all: true, yes: true, config: at('no-chaos.config.yaml'), cwd: ROOT }),
    expect: 'error',
  },
  {
    name: 'instrument check: an app that uses http',
    args: [
      'instrument',
      'check',
      '--run',
      '1s',
      '--',
      process.execPath,
      '-e',
      'require("node:http").createServer().listen(0)',
    ],
    call: () =>
      lib.instrumentCheck([process.execPath, '-e', 'require("node:http").createServer().listen(0)'], { runMs: 1000 }),
    expect: 'ok',
  },
  {
    name: 'instrument check: not a Node process',
    args: ['instrument', 'check', '--run', '1s', '--', 'true'],
    call: () => lib.instrumentCheck(['true'], { runMs: 1000 }),
    expect: 'error',
    code: 1,
  },
  {
    name: 'trace: a check that holds (an instrumented service, its trace file)',
    args: ['trace', at('trace-good.yaml'), '--config', at('no-chaos.config.yaml')],
    call: () => lib.traceRun({ files: [at('trace-good.yaml')], config: at('no-chaos.config.yaml'), cwd: ROOT }),
    expect: 'ok',
    volatile: TRACE_VOLATILE,
  },
  {
    name: 'trace: a check whose hop never happens',
    args: ['trace', at('trace-broken.yaml'), '--config', at('no-chaos.config.yaml')],
    call: () => lib.traceRun({ files: [at('trace-broken.yaml')], config: at('no-chaos.config.yaml'), cwd: ROOT }),
    expect: 'not-ok',
    volatile: TRACE_VOLATILE,
  },
  {
    name: 'trace: an invalid check file',
    args: ['trace', at('trace-invalid.yaml')],
    call: () => lib.traceRun({ files: [at('trace-invalid.yaml')], cwd: ROOT }),
    expect: 'error',
  },
  {
    name: 'contracts test: the fixture project',
    args: ['contracts', 'test', '--config', contractsConfig],
    call: () => lib.contractsTest(contractsOptions()),
    expect: 'ok',
    env: () => contractsEnv,
  },
  {
    name: 'contracts test: consumer tests that break their contract',
    args: ['contracts', 'test', '--config', path.join(ROOT, 'test/fixtures/contracts/failing/msa-verify.config.yaml')],
    call: () =>
      lib.contractsTest({
        config: path.join(ROOT, 'test/fixtures/contracts/failing/msa-verify.config.yaml'),
        cwd: ROOT,
        env: { ...process.env, ...contractsEnv, MSAV_PACT_DIR: at('failing-pacts') },
      }),
    expect: 'not-ok',
    env: () => ({ ...contractsEnv, MSAV_PACT_DIR: at('failing-pacts') }),
  },
  {
    name: 'contracts verify: the fixture providers',
    args: ['contracts', 'verify', '--config', contractsConfig],
    call: () => lib.contractsVerify(contractsOptions()),
    expect: 'ok',
    env: () => contractsEnv,
  },
  {
    name: 'contracts verify: a provider that is not configured',
    args: ['contracts', 'verify', '--provider', 'nobody', '--config', contractsConfig],
    call: () => lib.contractsVerify({ ...contractsOptions(), provider: 'nobody' }),
    expect: 'error',
    env: () => contractsEnv,
  },
  {
    name: 'contracts verify: --provider-version and --log-level (one provider)',
    args: [
      'contracts',
      'verify',
      '--provider',
      'products',
      '--provider-version',
      '9.9.9',
      '--log-level',
      'warn',
      '--config',
      contractsConfig,
    ],
    call: () =>
      lib.contractsVerify({ ...contractsOptions(), provider: 'products', providerVersion: '9.9.9', logLevel: 'warn' }),
    expect: 'ok',
    env: () => contractsEnv,
  },
  {
    name: 'contracts verify: a configured provider with no pact',
    args: ['contracts', 'verify', '--config', contractsConfig],
    call: () =>
      lib.contractsVerify({
        ...contractsOptions(),
        env: { ...process.env, ...contractsEnv, MSAV_PACT_DIR: at('one-pact') },
      }),
    expect: 'not-ok',
    env: () => ({ ...contractsEnv, MSAV_PACT_DIR: at('one-pact') }),
  },
  {
    name: 'contracts verify: a pact folder that does not exist',
    args: ['contracts', 'verify', '--config', contractsConfig],
    call: () =>
      lib.contractsVerify({
        ...contractsOptions(),
        env: { ...process.env, ...contractsEnv, MSAV_PACT_DIR: at('no-such-folder') },
      }),
    expect: 'error',
    env: () => ({ ...contractsEnv, MSAV_PACT_DIR: at('no-such-folder') }),
  },
  {
    name: 'contracts can-i-deploy: a version the broker does not know',
    args: [
      'contracts',
      'can-i-deploy',
      '--pacticipant',
      'shop-ui',
      '--app-version',
      '9.9.9',
      '--config',
      path.join(contractsProject, 'broker.config.yaml'),
    ],
    call: () =>
      lib.contractsCanIDeploy({
        ...contractsOptions(),
        config: path.join(contractsProject, 'broker.config.yaml'),
        pacticipant: 'shop-ui',
        version: '9.9.9',
      }),
    expect: 'not-ok',
    env: () => contractsEnv,
  },
  {
    name: 'contracts can-i-deploy: no broker configured',
    args: ['contracts', 'can-i-deploy', '--pacticipant', 'shop-ui', '--app-version', '1', '--config', contractsConfig],
    call: () => lib.contractsCanIDeploy({ ...contractsOptions(), pacticipant: 'shop-ui', version: '1' }),
    expect: 'error',
    env: () => contractsEnv,
  },
  {
    name: 'contracts publish: no broker configured',
    args: ['contracts', 'publish', '--consumer-version', '1', '--config', contractsConfig],
    call: () => lib.contractsPublish({ ...contractsOptions(), consumerVersion: '1' }),
    expect: 'error',
    env: () => contractsEnv,
  },
];

describe('library functions give what the CLI prints with --json', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const cwd = c.args.includes(contractsConfig) ? contractsProject : ROOT;
    const r = await runCli(['--json', ...c.args], { cwd, env: c.env?.() ?? {}, timeoutMs: 120_000 });
    let printed: unknown;
    try {
      printed = JSON.parse(r.stdout);
    } catch {
      throw new Error(
        `msa-verify --json ${c.args.join(' ')} did not print one JSON document (exit ${r.code}):\n${r.stdout}\n${r.stderr}`,
      );
    }
    const returned = await fromLibrary(c.call);
    expect(outcomeOf(printed), JSON.stringify(printed).slice(0, 2000)).toBe(c.expect);
    const extra = new Set(c.volatile ?? []);
    expect(stable(returned, extra)).toEqual(stable(printed, extra));
    expect(r.code, r.stderr).toBe(c.code ?? { ok: 0, 'not-ok': 1, error: 2 }[c.expect]);
  });
});
