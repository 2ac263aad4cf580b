import { describe, expect, it } from 'vitest';
import { resolveRequestHeaders, verificationSecrets } from '../../src/contracts/verify/request-headers.js';
import type { PactVerifierReport } from '../../src/contracts/verify/results.js';
import { toPairResults } from '../../src/contracts/verify/results.js';
import { applyStateProblems, createStateDispatch } from '../../src/contracts/verify/state-dispatch.js';
import { ConfigSchema } from '../../src/core/config/schema.js';
import { MsaVerifyError } from '../../src/core/errors.js';

// Provider-state changes in the order Pact's core sends them: setup of each
// state (state "" for an interaction without states), then teardown.

describe('state dispatch', () => {
  it('fails a state with no handler, naming the state; statesWithoutSetup opts out', async () => {
    const d = createStateDispatch({
      provider: 'products',
      stateHandlers: { 'product exists': async () => ({ id: 'p-1' }) },
      statesWithoutSetup: ['catalogue is open'],
    });
    expect(await d.handle({ state: 'product exists', action: 'setup', params: {} })).toEqual({ id: 'p-1' });
    await d.handle({ state: 'product exists', action: 'teardown' });
    await d.handle({ state: 'catalogue is open', action: 'setup' });
    await d.handle({ state: 'catalogue is open', action: 'teardown' });
    await d.handle({ state: 'product is discontinued', action: 'setup' });
    await d.handle({ state: 'product is discontinued', action: 'teardown' });
    expect(d.problems).toEqual([
      {
        interaction: 2,
        state: 'product is discontinued',
        missing: true,
        message:
          'no handler for provider state "product is discontinued": add it to the stateHandlers of the provider module, or list it in contracts.providers.products.statesWithoutSetup if it needs no set-up',
      },
    ]);
  });

  it('fails a handler that throws and a hook that throws, in their interaction', async () => {
    const calls: string[] = [];
    let n = 0;
    const d = createStateDispatch({
      provider: 'p',
      stateHandlers: {
        broken: {
          setup: async () => {
            throw new Error('database is read-only');
          },
        },
      },
      beforeEach: () => {
        calls.push('before');
      },
      afterEach: () => {
        n += 1;
        if (n === 1) throw new Error('cleanup failed');
      },
    });
    await d.handle({ state: '', action: 'setup' });
    await d.handle({ state: '', action: 'teardown' });
    await d.handle({ state: 'broken', action: 'setup' });
    await d.handle({ state: 'broken', action: 'teardown' });
    expect(calls).toEqual(['before', 'before']);
    expect(d.problems.map((p) => [p.interaction, p.message])).toEqual([
      [0, 'afterEach failed: cleanup failed'],
      [1, 'state handler for "broken" failed on setup: database is read-only'],
    ]);
  });

  it('adds state problems to their interaction, skipping missing states of produced messages', () => {
    const report: PactVerifierReport = {
      interactionResults: [
        { consumer: 'c', description: 'one', providerStates: ['a'] },
        { consumer: 'c', description: 'event', providerStates: ['b'] },
        { consumer: 'c', description: 'three', providerStates: ['b'] },
      ],
    };
    applyStateProblems(
      report,
      [
        { interaction: 0, state: 'a', missing: true, message: 'no handler for provider state "a"' },
        { interaction: 1, state: 'b', missing: true, message: 'no handler for provider state "b"' },
        { interaction: 2, state: 'b', missing: true, message: 'no handler for provider state "b"' },
      ],
      (d) => d === 'event',
    );
    const [pair] = toPairResults(report, 'p', () => 'http', 1);
    expect(
      pair?.interactions.map((i) => [i.description, i.passed, i.mismatches.map((m) => `${m.path}: ${m.message}`)]),
    ).toEqual([
      ['one', false, ['providerState: no handler for provider state "a"']],
      ['event', true, []],
      ['three', false, ['providerState: no handler for provider state "b"']],
    ]);
  });
});

describe('request headers', () => {
  const fail = (h: string, m: string) => new MsaVerifyError('MSAV_CONFIG_INVALID', `${h}: ${m}`);

  it('resolves static values and values from the environment', () => {
    expect(
      resolveRequestHeaders(
        { 'x-tenant': 'acme', authorization: { env: 'TOKEN', prefix: 'Bearer ' } },
        { TOKEN: 's3cret' },
        fail,
      ),
    ).toEqual({ 'x-tenant': 'acme', authorization: 'Bearer s3cret' });
  });

  it('names the header and the variable when the variable is unset', () => {
    expect(() => resolveRequestHeaders({ authorization: { env: 'TOKEN' } }, {}, fail)).toThrow(
      'authorization: environment variable TOKEN is not set',
    );
  });

  it('lists every secret to keep out of outputs: token, password, header values from the environment', () => {
    const config = ConfigSchema.parse({
      version: 1,
      broker: { url: 'http://b', username: 'ci' },
      contracts: {
        providers: { p: { url: 'http://p', requestHeaders: { a: 'static', b: { env: 'API_KEY' } } } },
      },
    });
    expect(
      verificationSecrets(config, {
        PACT_BROKER_TOKEN: 'tok-1',
        PACT_BROKER_PASSWORD: 'pw-1',
        API_KEY: 'key-1',
      }).sort(),
    ).toEqual(['key-1', 'pw-1', 'tok-1']);
  });
});
