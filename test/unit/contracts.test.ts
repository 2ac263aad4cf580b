import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatContractsSummary } from '../../src/cli/contracts-format.js';
import { checkPactText, checkProvidersKnown, readPactFile } from '../../src/contracts/pact-files.js';
import { toMismatch, toMismatches, toPairResults } from '../../src/contracts/verify/results.js';
import { ConfigSchema } from '../../src/core/config/schema.js';
import { isMsaVerifyError, type MsaVerifyError } from '../../src/core/errors.js';

async function pactFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-pact-unit-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function rejection(p: Promise<unknown>): Promise<MsaVerifyError> {
  const e = await p.catch((error: unknown) => error);
  if (!isMsaVerifyError(e)) throw new Error('expected an MsaVerifyError');
  return e;
}

describe('pact files', () => {
  it('reads consumer, provider and kind', async () => {
    const file = await pactFile(
      'a.json',
      JSON.stringify({
        consumer: { name: 'c' },
        provider: { name: 'p' },
        interactions: [{ description: 'd', type: 'Asynchronous/Messages', contents: {} }],
      }),
    );
    expect(await readPactFile(file)).toMatchObject({ consumer: 'c', provider: 'p', kind: 'message', interactions: 1 });
  });

  it('names file, line and column of malformed JSON', async () => {
    const file = await pactFile('bad.json', '{\n "consumer": {"name": "c"}\n "provider": {}}');
    const e = await rejection(readPactFile(file, path.dirname(file)));
    expect(e.code).toBe('MSAV_PACT_INVALID');
    expect(e.problems[0]).toMatchObject({ file: 'bad.json', line: 3 });
    expect(e.message).toContain('bad.json');
  });

  it('names missing fields', async () => {
    const file = await pactFile('fields.json', JSON.stringify({ consumer: {}, interactions: [{ request: {} }] }));
    const e = await rejection(readPactFile(file));
    expect(e.problems.map((p) => p.path)).toEqual([
      'provider',
      'consumer.name',
      'interactions.0.description',
      'interactions.0.response',
      'interactions.0.request.method',
      'interactions.0.request.path',
    ]);
  });

  it('reports V4 shape problems at their line and column, not 1:1', async () => {
    const text = [
      '{',
      '  "consumer": { "name": "c" },',
      '  "provider": { "name": "p" },',
      '  "interactions": [',
      '    { "type": "Synchronous/HTTP", "description": "d",',
      '      "request": { "method": "GET", "path": "/x" },',
      '      "response": { "status": "200" } },',
      '    { "type": "Asynchronous/Message", "description": "m" }',
      '  ],',
      '  "metadata": { "pactSpecification": { "version": "4.0" } }',
      '}',
    ].join('\n');
    const check = checkPactText('v4.json', text);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems).toEqual([
      {
        file: 'v4.json',
        line: 7,
        column: 31,
        path: 'interactions.0.response.status',
        message: 'Invalid input: expected number, received string',
      },
      {
        file: 'v4.json',
        line: 8,
        column: 15,
        path: 'interactions.1.type',
        message:
          'unknown interaction type "Asynchronous/Message" (expected Synchronous/HTTP, Asynchronous/Messages, Synchronous/Messages)',
      },
    ]);
    const e = await rejection(readPactFile(await pactFile('v4.json', text), os.tmpdir()));
    expect(e.message).toMatch(/v4\.json:7:31: not a valid pact file: interactions\.0\.response\.status: Invalid input/);
  });

  it('refuses a pact specification it does not know, at the version field', () => {
    const check = checkPactText(
      'v5.json',
      '{\n"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [],\n"metadata": {"pactSpecification": {"version": "5.0"}}}',
    );
    expect(check).toEqual({
      ok: false,
      problems: [
        {
          file: 'v5.json',
          line: 3,
          column: 47,
          path: 'metadata.pactSpecification.version',
          message: 'unsupported pact specification 5.0 (expected 1 to 4)',
        },
      ],
    });
  });

  it('reads V3 message pacts and V2 HTTP pacts', () => {
    const v3 = checkPactText(
      'm.json',
      JSON.stringify({
        consumer: { name: 'c' },
        provider: { name: 'p' },
        messages: [{ description: 'e', contents: {} }],
      }),
    );
    expect(v3.ok && v3.info.kind).toBe('message');
    const v2 = checkPactText(
      'h.json',
      JSON.stringify({
        consumer: { name: 'c' },
        provider: { name: 'p' },
        interactions: [{ description: 'd', request: { method: 'GET', path: '/' }, response: { status: 200 } }],
        metadata: { pactSpecification: { version: '2.0.0' } },
      }),
    );
    expect(v2.ok && v2.info.kind).toBe('http');
  });

  it('rejects a pact for an unknown provider, naming file and field', () => {
    const info = {
      file: '/x/c-billing.json',
      consumer: 'c',
      provider: 'billing',
      kind: 'http' as const,
      interactions: 1,
    };
    let error: unknown;
    try {
      checkProvidersKnown([info], ['orders'], '/x');
    } catch (e) {
      error = e;
    }
    expect(isMsaVerifyError(error) && error.code).toBe('MSAV_UNKNOWN_PROVIDER');
    expect((error as MsaVerifyError).problems[0]).toMatchObject({ file: 'c-billing.json', path: 'provider.name' });
  });
});

describe('verifier report conversion', () => {
  it('names each kind of mismatch by where it is', () => {
    expect(
      toMismatch({ type: 'BodyMismatch', path: '$.items[0].price', expected: 1, actual: '1', mismatch: 'm' }),
    ).toEqual({
      path: 'body.items[0].price',
      expected: '1',
      actual: '1',
      message: 'm',
    });
    expect(toMismatch({ type: 'StatusMismatch', expected: 201, actual: 200, mismatch: 'm' }).path).toBe('status');
    expect(toMismatch({ type: 'HeaderMismatch', key: 'x-correlation-id', mismatch: 'm' }).path).toBe(
      'headers.x-correlation-id',
    );
    expect(toMismatch({ type: 'MetadataMismatch', key: 'routingKey', mismatch: 'm' }).path).toBe('metadata.routingKey');
    expect(toMismatch({ type: 'BodyMismatch', path: '$', mismatch: 'm' }).path).toBe('body');
  });

  it('names a renamed key by its own path (body.skuCode), one mismatch per missing key', () => {
    expect(
      toMismatches({
        type: 'BodyMismatch',
        path: '$',
        expected: '["n","skuCode"]',
        actual: '["n","sku"]',
        mismatch: 'Actual map is missing the following keys: skuCode',
      }),
    ).toEqual([
      { path: 'body.skuCode', expected: 'key "skuCode"', message: 'missing key "skuCode" (the response has: n, sku)' },
    ]);
    const two = toMismatches({
      type: 'BodyMismatch',
      path: '$.items[0]',
      actual: '[]',
      mismatch: 'Actual map is missing the following keys: id, unit-price',
    });
    expect(two.map((m) => m.path)).toEqual(['body.items[0].id', "body.items[0]['unit-price']"]);
  });

  it('groups interactions per consumer and fails the pair on any mismatch (pending ones do not fail)', () => {
    const pairs = toPairResults(
      {
        interactionResults: [
          { consumer: 'a', description: 'one', duration: '10ms' },
          {
            consumer: 'a',
            description: 'two',
            duration: '30ms',
            mismatch: { type: 'mismatches', mismatches: [{ type: 'StatusMismatch' }] },
          },
          { consumer: 'b', description: 'three', pending: true, mismatch: { type: 'error', message: 'boom' } },
        ],
      },
      'p',
      () => 'http',
      100,
    );
    expect(pairs.map((p) => [p.consumer, p.passed, p.interactions.length])).toEqual([
      ['a', false, 2],
      ['b', true, 1],
    ]);
  });
});

describe('console summary', () => {
  it('shows the pair, the failed interaction and a diff of the field', () => {
    const lines = formatContractsSummary({
      kind: 'contracts',
      runId: 'r',
      startedAt: 0,
      endedAt: 50,
      passed: false,
      pairs: [
        {
          consumer: 'gateway',
          provider: 'products',
          kind: 'http',
          passed: false,
          durationMs: 12,
          interactions: [
            {
              description: 'get product p-1',
              providerStates: ['product exists'],
              passed: false,
              mismatches: [{ path: 'body.priceCents', expected: '4990', message: 'Expected an integer' }],
            },
          ],
        },
      ],
    }).join('\n');
    expect(lines).toContain('✗ gateway → products (http)  0/1 interactions');
    expect(lines).toContain('✗ interaction "get product p-1" [given product exists]');
    expect(lines).toContain('body.priceCents: Expected an integer');
    expect(lines).toContain('- expected: 4990');
    expect(lines).toContain('+ actual:   (missing)');
    expect(lines).toContain('1 failed');
  });

  it('names providers with no pact to verify, and says how to allow it', () => {
    const lines = formatContractsSummary({
      kind: 'contracts',
      runId: 'r',
      startedAt: 0,
      endedAt: 5,
      passed: false,
      pairs: [],
      withoutPacts: [
        { provider: 'billing', allowed: false },
        { provider: 'search', allowed: true },
      ],
    });
    expect(lines).toEqual([
      '✗ billing: no pact to verify (set contracts.providers.billing.allowNoPacts: true if it may have none)',
      '- search: no pact to verify (allowed: allowNoPacts)',
      'contracts: 0 pair(s), 0 passed, 0 failed (5ms)',
    ]);
  });
});

describe('contracts config', () => {
  it('rejects unknown keys in a provider and a bad transport', () => {
    const r = ConfigSchema.safeParse({
      version: 1,
      contracts: { providers: { orders: { url: 'http://x', transport: 'sqs', colour: 1 } } },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['contracts.providers.orders', 'contracts.providers.orders.transport']),
    );
  });

  it('fills broker defaults and takes only documented selectors', () => {
    const ok = ConfigSchema.parse({ version: 1, broker: { url: 'http://broker' } });
    expect(ok.broker).toMatchObject({ tokenEnv: 'PACT_BROKER_TOKEN', enablePending: true, environment: 'production' });
    const bad = ConfigSchema.safeParse({
      version: 1,
      broker: { url: 'http://b', consumerVersionSelectors: [{ lates: true }] },
    });
    expect(bad.success).toBe(false);
  });
});
