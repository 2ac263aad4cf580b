import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readyPaths } from '../../examples/shop/launcher.ts';
import { freePort, ServiceProcess } from '../../examples/shop/service-process.ts';
import { type GrpcFixture, startCustomersFixture } from '../fixtures/contracts/grpc/provider.ts';
import { runCli } from '../support/cli.js';
import { ROOT } from '../support/services.js';

// `msa-verify contracts verify` for a gRPC provider: the committed contract
// contracts/pacts/orders-customers.grpc.json (written by
// contracts/orders-customers.pact.test.ts) against the real customers service,
// then against providers that broke it in the five ways a gRPC API breaks.
// The broken .proto files are made from the shop's own at run time, so they
// follow it when it changes.
const SHOP_PROTO = path.join(ROOT, 'examples/shop/proto/customers.proto');
const BREAKS: Record<string, [RegExp, string]> = {
  renumbered: [/string name = 2;/, 'string name = 5;'],
  retyped: [/bool active = 4;/, 'string active = 4;'],
  'no-method': [/ {2}rpc GetCustomer\(GetCustomerRequest\) returns \(Customer\);\n/, ''],
  // The number and the name are reserved: the wire check passes, consumers needing tier do not.
  'no-tier': [/string tier = 3;/, 'reserved 3;\n  reserved "tier";'],
};
const variants = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-protos-'));

/** The shop's .proto with one breaking change, as `<variant>/customers.proto`. */
async function brokenProto(variant: string): Promise<string> {
  const [pattern, replacement] = BREAKS[variant]!;
  const text = await readFile(SHOP_PROTO, 'utf8');
  if (!pattern.test(text)) throw new Error(`${SHOP_PROTO} no longer has ${pattern}: update BREAKS`);
  const file = path.join(variants, variant, 'customers.proto');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text.replace(pattern, replacement));
  return file;
}
const fixtures: GrpcFixture[] = [];
afterAll(() => {
  for (const f of fixtures) f.close();
});

/** Verifies customers at `address` with `proto` as its .proto; returns the CLI result and its JSON report. */
async function verify(address: string, proto: string | undefined) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-contracts-'));
  const config = path.join(dir, 'msa-verify.config.yaml');
  await writeFile(
    config,
    [
      'version: 1',
      'contracts:',
      `  pactDir: ${path.join(ROOT, 'contracts/pacts')}`,
      '  providers:',
      '    customers:',
      '      grpc:',
      `        address: ${address}`,
      ...(proto ? [`        proto: ${proto}`] : []),
      '      statesWithoutSetup: [customer c-1 exists, customer nobody does not exist]',
      '',
    ].join('\n'),
  );
  const json = path.join(dir, 'report.json');
  const r = await runCli(['contracts', 'verify', '--config', config, '--provider', 'customers', '--json', json], {
    timeoutMs: 60_000,
  });
  const report = await readFile(json, 'utf8').then(
    (t) =>
      JSON.parse(t) as {
        results: {
          pairs: {
            kind: string;
            interactions: { description: string; passed: boolean; mismatches: { path: string; message: string }[] }[];
          }[];
        }[];
      },
    () => undefined,
  );
  return { ...r, pair: report?.results[0]?.pairs[0] };
}

/** Starts a provider from `proto`; returns its address and its .proto. */
async function fixture(
  variant: string | undefined,
  options: { notFound?: boolean; reflection?: boolean } = {},
): Promise<[string, string]> {
  const proto = variant ? await brokenProto(variant) : SHOP_PROTO;
  const started = await startCustomersFixture(proto, options);
  fixtures.push(started);
  return [started.address, proto];
}

describe('msa-verify contracts verify, gRPC provider', () => {
  it('passes against the real customers service: wire check and both interactions', async () => {
    const customers = new ServiceProcess('customers', await freePort());
    await customers.start({ env: process.env, preload: false, readyPaths: readyPaths('customers'), timeoutMs: 20_000 });
    try {
      const r = await verify(customers.address, SHOP_PROTO);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('✓ orders → customers (grpc)  3/3 interactions');
      expect(r.pair?.kind).toBe('grpc');
      expect(r.pair?.interactions.map((i) => i.description)).toEqual([
        'wire compatibility (buf breaking)',
        'GetCustomer for an existing customer',
        'GetCustomer for an unknown customer',
      ]);
    } finally {
      await customers.stop();
    }
  });

  it('fails on a renumbered field, naming the method and the field', async () => {
    const r = await verify(...(await fixture('renumbered')));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('proto.Customer.name: GetCustomer: Previously present field "2" with name "name"');
  });

  it('fails on a changed type, naming the method and the field', async () => {
    const r = await verify(...(await fixture('retyped')));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'proto.Customer.active: GetCustomer: Field "4" with name "active" on message "Customer" changed type from "bool" to "string"',
    );
  });

  it('fails on a removed method: buf names it, and the live call is UNIMPLEMENTED', async () => {
    const r = await verify(...(await fixture('no-method')));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'proto.Customers.GetCustomer: GetCustomer: Previously present RPC "GetCustomer" on service "Customers" was deleted',
    );
    expect(r.stdout).toContain('status: GetCustomer: expected status OK, got UNIMPLEMENTED');
  });

  it('fails on a response without a field the consumer needs (the wire check alone passes: the number is reserved)', async () => {
    const r = await verify(...(await fixture('no-tier')));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const wire = r.pair?.interactions.find((i) => i.description === 'wire compatibility (buf breaking)');
    expect(wire?.passed).toBe(true);
    expect(r.stdout).toContain('body.tier: GetCustomer: body.tier is missing (expected "gold")');
  });

  it('fails on a wrong status code, naming the method', async () => {
    const r = await verify(...(await fixture(undefined, { notFound: true })));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('✗ interaction "GetCustomer for an existing customer" [given customer c-1 exists]');
    expect(r.stdout).toContain('status: GetCustomer: expected status OK, got NOT_FOUND');
    // The other interaction expects NOT_FOUND and passes.
    expect(r.pair?.interactions.find((i) => i.description === 'GetCustomer for an unknown customer')?.passed).toBe(
      true,
    );
  });

  it('without a .proto in the config, reads the provider through server reflection', async () => {
    const customers = new ServiceProcess('customers', await freePort());
    await customers.start({ env: process.env, preload: false, readyPaths: readyPaths('customers'), timeoutMs: 20_000 });
    try {
      const r = await verify(customers.address, undefined);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('✓ orders → customers (grpc)  3/3 interactions');
    } finally {
      await customers.stop();
    }
  });

  it('through reflection too, a retyped field fails naming the method and the field', async () => {
    const [address] = await fixture('retyped', { reflection: true });
    const r = await verify(address, undefined);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'proto.Customer.active: GetCustomer: Field "4" with name "active" on message "Customer" changed type',
    );
  });

  it('is exit 2 without a .proto when the provider offers no reflection', async () => {
    const [address] = await fixture(undefined);
    const r = await verify(address, undefined);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`the provider at ${address} offers no server reflection`);
  });

  it('is exit 3 when the provider does not answer', async () => {
    const r = await verify(`127.0.0.1:${await freePort()}`, SHOP_PROTO);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('provider customers is unreachable at 127.0.0.1:');
  });

  it('validate: a malformed gRPC contract is exit 2 naming the file and the field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-validate-'));
    const file = path.join(dir, 'orders-customers.grpc.json');
    const good = JSON.parse(await readFile(path.join(ROOT, 'contracts/pacts/orders-customers.grpc.json'), 'utf8'));
    good.interactions[0].grpc = { service: 'shop.customers.v1.Customers' };
    await writeFile(file, JSON.stringify(good));
    const r = await runCli(['validate', file]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toContain('orders-customers.grpc.json: interactions.0.grpc.method:');
  });
});
