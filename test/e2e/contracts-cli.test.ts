import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBroker } from '../fixtures/contracts/broker.js';
import {
  type FixtureServer,
  type PublisherVariant,
  startOrderPublisherFixture,
  startProductsFixture,
} from '../fixtures/contracts/providers.js';
import { type CliResult, runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

// `msa-verify contracts` as a user runs it, on a fixture project whose
// providers are small real servers (and a real RabbitMQ for the message pair).

const project = path.join(ROOT, 'test/fixtures/contracts/project');
const config = path.join(project, 'msa-verify.config.yaml');
const rabbitmqUrl = serviceUrls().RABBITMQ_URL;
let pactDir: string;
let out: string;

async function withProviders<T>(
  variants: { products?: 'good' | 'renamed-field' | 'changed-status'; orders?: PublisherVariant },
  body: (env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  const exchange = `msav-contracts-${randomUUID().slice(0, 8)}`;
  const servers: FixtureServer[] = [
    await startProductsFixture(variants.products ?? 'good'),
    await startOrderPublisherFixture({ rabbitmqUrl, exchange, variant: variants.orders ?? 'good' }),
  ];
  try {
    return await body({
      MSAV_PACT_DIR: pactDir,
      PRODUCTS_URL: servers[0]?.url,
      ORDERS_URL: servers[1]?.url,
      ORDERS_EXCHANGE: exchange,
      RABBITMQ_URL: rabbitmqUrl,
    });
  } finally {
    for (const s of servers) await s.close();
  }
}

const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(['contracts', ...args, '--config', config], { cwd: project, env, timeoutMs: 90_000 });

beforeAll(async () => {
  pactDir = await mkdtemp(path.join(os.tmpdir(), 'msav-e2e-pacts-'));
  out = await mkdtemp(path.join(os.tmpdir(), 'msav-e2e-out-'));
});

describe('msa-verify contracts (fixture project)', () => {
  it('runs consumer tests then verifies every provider: exit 0, summary and reports', async () => {
    const r = await withProviders({}, (env) =>
      cli(['--json', path.join(out, 'run.json'), '--junit', path.join(out, 'run.xml')], env),
    );
    expect(r.stderr).not.toContain('unexpected error');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ shop-ui → products (http)  2/2 interactions');
    expect(r.stdout).toContain('✓ mailer → orders (transport)  1/1 interactions');
    expect(r.stdout).not.toContain('Verifying a pact between'); // Pact's own report stays out
    // The consumer test runner's own lines (and hints) stay out too: msa-verify's lines only.
    expect(r.stdout).toContain('✓ consumer tests: 2 file(s)');
    expect(r.stdout + r.stderr).not.toMatch(/Test Files|RUN +v\d|isolate/);
    expect((await readdir(pactDir)).sort()).toEqual(['mailer-orders.json', 'shop-ui-products.json']);
    const json = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(JSON.stringify(json)).toContain('"kind":"contracts"');
    expect(await readFile(path.join(out, 'run.xml'), 'utf8')).toContain('<testsuite');
  });

  it("contracts test --verbose streams the consumer test runner's own output", async () => {
    const quiet = await cli(['test'], { MSAV_PACT_DIR: pactDir });
    expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0);
    expect(quiet.stdout + quiet.stderr).not.toContain('Test Files');
    const verbose = await cli(['test', '--verbose'], { MSAV_PACT_DIR: pactDir });
    expect(verbose.code, verbose.stdout + verbose.stderr).toBe(0);
    expect(verbose.stdout).toContain('Test Files');
    expect(verbose.stdout).toContain('✓ consumer tests: 2 file(s)');
  });

  it('exits 1 on a renamed field, naming interaction and field', async () => {
    const r = await withProviders({ products: 'renamed-field' }, (env) =>
      cli(['verify', '--provider', 'products'], env),
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ shop-ui → products');
    expect(r.stdout).toContain('interaction "get product p-1"');
    // The renamed key is named by its own path, not `body`.
    expect(r.stdout).toContain(
      'body.priceCents: missing key "priceCents" (the response has: currency, id, name, price)',
    );
  });

  it('exits 1 on a changed status, naming the status', async () => {
    const r = await withProviders({ products: 'changed-status' }, (env) =>
      cli(['verify', '--provider', 'products'], env),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('interaction "get unknown product p-9"');
    expect(r.stdout).toContain('status:');
    expect(r.stdout).toContain('- expected: 404');
  });

  it('transport check exits 1 when the publisher uses another routing key', async () => {
    const r = await withProviders({ orders: 'wrong-routing-key' }, (env) =>
      cli(['verify', '--provider', 'orders'], env),
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('interaction "an order.created event"');
    expect(r.stdout).toContain('metadata.routingKey');
    expect(r.stdout).toContain('orders.made');
  });

  it('transport check exits 1 when the publisher drops the correlation header', async () => {
    const r = await withProviders({ orders: 'no-correlation' }, (env) => cli(['verify', '--provider', 'orders'], env));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('metadata.x-correlation-id');
  });

  it('transport check exits 1 when the publisher does not propagate the inbound correlation id', async () => {
    const r = await withProviders({ orders: 'own-correlation' }, (env) => cli(['verify', '--provider', 'orders'], env));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('metadata.x-correlation-id');
    expect(r.stdout).toContain('not propagated: sent msav-');
    expect(r.stdout).toContain('got minted-by-publisher');
  });

  it('exits 2 naming the file for malformed pact JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-bad-pacts-'));
    await cp(pactDir, dir, { recursive: true });
    await writeFile(path.join(dir, 'broken.json'), '{ "consumer": { "name": "x" }, "provider": ');
    const r = await withProviders({}, (env) => cli(['verify'], { ...env, MSAV_PACT_DIR: dir }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('broken.json');
    expect(r.stderr).toContain('MSAV_PACT_INVALID');
  });

  it('exits 2 naming the file and field for a pact whose provider is unknown', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-unknown-'));
    const pact = JSON.parse(await readFile(path.join(pactDir, 'shop-ui-products.json'), 'utf8'));
    pact.provider.name = 'billing';
    await writeFile(path.join(dir, 'shop-ui-billing.json'), JSON.stringify(pact));
    const r = await withProviders({}, (env) => cli(['verify'], { ...env, MSAV_PACT_DIR: dir }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('shop-ui-billing.json');
    expect(r.stderr).toContain('provider.name');
  });

  it("--provider verifies that provider's pacts and ignores another provider's pact in the folder", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-stray-'));
    const pact = JSON.parse(await readFile(path.join(pactDir, 'shop-ui-products.json'), 'utf8'));
    await writeFile(path.join(dir, 'shop-ui-products.json'), JSON.stringify(pact));
    await writeFile(path.join(dir, 'shop-ui-billing.json'), JSON.stringify({ ...pact, provider: { name: 'billing' } }));
    const r = await withProviders({}, (env) =>
      cli(['verify', '--provider', 'products'], { ...env, MSAV_PACT_DIR: dir }),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ shop-ui → products (http)  2/2 interactions');
  });

  it('exits 2 naming a pactDir that does not exist', async () => {
    const missing = path.join(os.tmpdir(), `msav-no-such-pacts-${randomUUID()}`);
    const r = await withProviders({}, (env) => cli(['verify'], { ...env, MSAV_PACT_DIR: missing }));
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `msa-verify.config.yaml:5:12: contracts.pactDir: folder ${missing} does not exist (write pacts there with "msa-verify contracts test", or fix the path)`,
    );
  });

  it('exits 1 naming a configured provider with no pact to verify; allowNoPacts lets it pass', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-one-pact-'));
    await cp(path.join(pactDir, 'shop-ui-products.json'), path.join(dir, 'shop-ui-products.json'));
    const r = await withProviders({}, (env) => cli(['verify'], { ...env, MSAV_PACT_DIR: dir }));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✓ shop-ui → products (http)  2/2 interactions');
    expect(r.stdout).toContain(
      '✗ orders: no pact to verify (set contracts.providers.orders.allowNoPacts: true if it may have none)',
    );
    const allowing = path.join(dir, 'allow.config.yaml');
    const text = await readFile(config, 'utf8');
    await writeFile(
      allowing,
      text
        .replace('module: products-provider.ts', `module: ${path.join(project, 'products-provider.ts')}`)
        .replace(
          'module: orders-provider.ts',
          `module: ${path.join(project, 'orders-provider.ts')}\n      allowNoPacts: true`,
        ),
    );
    const allowed = await withProviders({}, (env) =>
      runCli(['contracts', 'verify', '--config', allowing], { cwd: project, env: { ...env, MSAV_PACT_DIR: dir } }),
    );
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('- orders: no pact to verify (allowed: allowNoPacts)');
  });

  it('exits 2 for --provider that is not configured', async () => {
    const r = await withProviders({}, (env) => cli(['verify', '--provider', 'nope'], env));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown provider "nope"');
  });

  it('exits 3 when the transport check cannot reach RabbitMQ', async () => {
    const port = await freePort();
    const r = await withProviders({}, (env) =>
      cli(['verify', '--provider', 'orders'], { ...env, RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` }),
    );
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('RabbitMQ unreachable');
  });

  it('exits 3 when a provider is unreachable', async () => {
    const port = await freePort();
    const r = await withProviders({}, (env) =>
      cli(['verify', '--provider', 'products'], { ...env, PRODUCTS_URL: `http://127.0.0.1:${port}` }),
    );
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('provider products is unreachable');
  });
});

describe('validate: pact files', () => {
  const bad = path.join(ROOT, 'test/fixtures/contracts/bad-pacts');

  it('checks the pacts in contracts.pactDir and reports each problem at its line and column (exit 2)', async () => {
    const r = await runCli(['validate', '--config', path.join(bad, 'msa-verify.config.yaml')], { cwd: bad });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('ok  ');
    expect(r.stderr.trim().split('\n')).toEqual([
      'bad-shape.json:9:31  interactions.0.response.status  Invalid input: expected number, received string',
      'bad-shape.json:11:15  interactions.1.type  unknown interaction type "Asynchronous/Message" (expected Synchronous/HTTP, Asynchronous/Messages, Synchronous/Messages)',
      "bad-syntax.json:4:3  (document)  malformed JSON: Expected ',' or '}' after property value in JSON at position 78 (line 4 column 3)",
    ]);
  });

  it('checks a pact file given on the command line; the shop pacts pass', async () => {
    const r = await runCli([
      'validate',
      'test/fixtures/contracts/bad-pacts/bad-syntax.json',
      'contracts/pacts/gateway-orders.json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('ok  contracts/pacts/gateway-orders.json');
    expect(r.stderr).toContain('test/fixtures/contracts/bad-pacts/bad-syntax.json:4:3  (document)  malformed JSON');
  });
});

describe('consumer tests that break their contract', () => {
  it('exit 1 and skip verification', async () => {
    const dir = path.join(ROOT, 'test/fixtures/contracts/failing');
    const r = await runCli(['contracts', '--config', path.join(dir, 'msa-verify.config.yaml')], {
      cwd: dir,
      env: { MSAV_PACT_DIR: await mkdtemp(path.join(os.tmpdir(), 'msav-failing-')) },
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('consumer tests failed; provider verification skipped');
    // The runner's own output is shown when the tests fail, on stderr after msa-verify's heading.
    expect(r.stderr).toContain('consumer test output:');
    expect(r.stderr).toContain('forgets the correlation headers');
    expect(r.stdout).not.toContain('forgets the correlation headers');
  });
});

describe('broker commands (fixture server speaking the Pact Broker API)', () => {
  const token = `tok-${randomUUID()}`;
  const brokerConfig = path.join(project, 'broker.config.yaml');
  let broker: Awaited<ReturnType<typeof startFixtureBroker>>;
  const outputs: string[] = [];
  beforeAll(async () => {
    broker = await startFixtureBroker(token);
  });
  afterAll(async () => {
    await broker.close();
  });
  const bcli = (args: string[], env: NodeJS.ProcessEnv) =>
    runCli(['contracts', ...args, '--config', brokerConfig], {
      cwd: project,
      env: { ...env, BROKER_URL: broker.url, PACT_BROKER_TOKEN: token },
      timeoutMs: 90_000,
    }).then((r) => {
      outputs.push(r.stdout, r.stderr);
      return r;
    });

  it('publishes, verifies from the broker (publishing results) and answers can-i-deploy', async () => {
    // A gRPC contract next to the pacts is msa-verify's own format: never sent to the broker.
    await writeFile(
      path.join(pactDir, 'mailer-rpc.grpc.json'),
      JSON.stringify({ consumer: { name: 'mailer' }, provider: { name: 'rpc' }, interactions: [] }),
    );
    const published = await bcli(['publish'], { MSAV_PACT_DIR: pactDir });
    await rm(path.join(pactDir, 'mailer-rpc.grpc.json'));
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(broker.pacts.map((p) => `${p.consumer}->${p.provider}@${p.version}`).sort()).toEqual([
      'mailer->orders@1.0.0',
      'shop-ui->products@1.0.0',
    ]);
    const before = await bcli(['can-i-deploy', '--pacticipant', 'shop-ui', '--app-version', '1.0.0'], {});
    expect(before.code).toBe(1);
    const reportFile = path.join(out, 'broker.json');
    const verified = await withProviders({}, (env) =>
      bcli(['verify', '--json', reportFile, '--junit', path.join(out, 'broker.xml'), '--provider', 'products'], env),
    );
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(broker.verifications).toContainEqual(
      expect.objectContaining({ consumer: 'shop-ui', provider: 'products', success: true, providerVersion: '2.0.0' }),
    );
    const selectorsBody = broker.requests.find(
      (r) => r.method === 'POST' && r.path.endsWith('/for-verification'),
    )?.body;
    expect(JSON.parse(selectorsBody ?? '{}')).toMatchObject({
      consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }],
      includePendingStatus: true,
      includeWipPactsSince: '2026-01-01',
    });
    const after = await bcli(['can-i-deploy', '--pacticipant', 'shop-ui', '--app-version', '1.0.0'], {});
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(broker.requests.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    outputs.push(await readFile(reportFile, 'utf8'));
  });

  it('a broker that refuses the verification results makes verify exit 3 naming it, although every interaction passed', async () => {
    await using refusing = await startFixtureBroker(token, { refuseResults: true });
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      runCli(['contracts', ...args, '--config', brokerConfig], {
        cwd: project,
        env: { ...extra, BROKER_URL: refusing.url, PACT_BROKER_TOKEN: token, MSAV_PACT_DIR: pactDir },
        timeoutMs: 90_000,
      });
    expect((await run(['publish'])).code).toBe(0);
    const verified = await withProviders({}, (env) => run(['verify', '--provider', 'products'], env));
    outputs.push(verified.stdout, verified.stderr);
    expect(verified.code, verified.stdout + verified.stderr).toBe(3);
    expect(verified.stderr).toContain(
      'verification passed, but the broker did not take its results (broker.publishVerificationResults), so can-i-deploy will not see them',
    );
    expect(verified.stderr).toContain('403 Forbidden');
    expect(refusing.verifications).toEqual([]);
    expect(refusing.requests.some((r) => r.method === 'POST' && r.path.endsWith('/verification-results'))).toBe(true);
  });

  it('never prints or writes the broker token', async () => {
    const files = await readdir(out);
    for (const f of files) outputs.push(await readFile(path.join(out, f), 'utf8'));
    expect(outputs.length).toBeGreaterThan(4);
    const hits = outputs.filter((o) => o.includes(token));
    expect(hits).toEqual([]);
  });

  it('publishes with basic authentication, tags the provider version and uses the git commit as the version', async () => {
    const basic = { username: 'ci', password: `pw-${randomUUID()}` };
    await using basicBroker = await startFixtureBroker('unused', { basic });
    const config = path.join(project, 'broker-basic.config.yaml');
    const env = { BROKER_URL: basicBroker.url, PACT_BROKER_PASSWORD: basic.password, MSAV_PACT_DIR: pactDir };
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      runCli(['contracts', ...args, '--config', config], {
        cwd: project,
        env: { ...env, ...extra },
        timeoutMs: 90_000,
      });
    const published = await run(['publish']);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    const verified = await withProviders({}, (e) => run(['verify', '--provider', 'products'], e));
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: project }).toString().trim();
    expect(basicBroker.verifications).toContainEqual(
      expect.objectContaining({ consumer: 'shop-ui', provider: 'products', success: true, providerVersion: commit }),
    );
    expect(basicBroker.tags.sort()).toEqual([`products@${commit}:eu`, `products@${commit}:staging`]);
    const all = [published, verified].map((r) => r.stdout + r.stderr).join('\n');
    expect(all).not.toContain(basic.password);
  });

  it('refuses to publish verification results without a provider version outside a git repository (exit 2)', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'msav-no-git-'));
    await cp(path.join(project, 'products-provider.ts'), path.join(outside, 'products-provider.ts'));
    await cp(path.join(project, 'broker.config.yaml'), path.join(outside, 'broker.config.yaml'));
    const noVersion = path.join(outside, 'broker.config.yaml');
    await writeFile(noVersion, (await readFile(noVersion, 'utf8')).replace('  providerVersion: 2.0.0\n', ''));
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      runCli(['contracts', ...args, '--config', noVersion], {
        cwd: outside,
        env: { ...env, BROKER_URL: broker.url, PACT_BROKER_TOKEN: token },
        timeoutMs: 90_000,
      });
    const refused = await withProviders({}, (env) => run(['verify', '--provider', 'products'], env));
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      'broker.config.yaml:13:3: contracts.providerVersion: publishing verification results (broker.publishVerificationResults) needs a provider version: set contracts.providerVersion, pass --provider-version, or run inside a git repository (its commit is used)',
    );
    const given = await withProviders({}, (env) =>
      run(['verify', '--provider', 'products', '--provider-version', '3.1.0'], env),
    );
    expect(given.code, given.stdout + given.stderr).toBe(0);
    expect(broker.verifications).toContainEqual(
      expect.objectContaining({ provider: 'products', success: true, providerVersion: '3.1.0' }),
    );
  });

  it('exits 3 when the broker is unreachable', async () => {
    const port = await freePort();
    const r = await runCli(
      ['contracts', 'can-i-deploy', '--pacticipant', 'x', '--app-version', '1', '--config', brokerConfig],
      {
        cwd: project,
        env: { BROKER_URL: `http://127.0.0.1:${port}`, PACT_BROKER_TOKEN: token },
      },
    );
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
