// The `rejected` expectation on synthetic samples: every selected request
// refused passes; an accepted one fails naming how many; a phase that sent
// none of those requests cannot pass; parameters are strict.
import { describe, expect, it } from 'vitest';
import { expectationRegistry } from '../../src/chaos/expectations/registry.js';
import { rejectedExpectation } from '../../src/chaos/expectations/rejected.js';
import { evidence, samples, T0 } from './chaos-fixtures.js';

const judge = (params: unknown, ev: ReturnType<typeof evidence>) =>
  rejectedExpectation.judge(rejectedExpectation.params.parse(params), ev);

const mixed = (wrongAudienceStatus: number) =>
  evidence({
    kind: 'steady',
    samples: samples(T0, 20, 40, (i) =>
      i % 2 === 0
        ? { path: '/api/orders?auth=valid', status: 201 }
        : { path: '/api/orders?auth=wrong-audience', status: wrongAudienceStatus },
    ),
  });

describe('rejected', () => {
  it('is registered', () => {
    expect(expectationRegistry.get('rejected')).toBe(rejectedExpectation);
  });

  it('passes when every selected request was refused', () => {
    const v = judge({ request: 'POST /api/orders?auth=wrong-audience', statuses: [401] }, mixed(401));
    expect(v).toMatchObject({ type: 'rejected', passed: true, observed: 0, bound: 'every one 401' });
    expect(v.message).toBe('all 20 requests to POST /api/orders?auth=wrong-audience were refused (401 x20).');
  });

  it('fails naming the accepted requests', () => {
    const v = judge({ request: 'POST /api/orders?auth=wrong-audience', statuses: [401] }, mixed(201));
    expect(v).toMatchObject({ passed: false, observed: 20 });
    expect(v.message).toBe(
      '20 of 20 requests to POST /api/orders?auth=wrong-audience were accepted (201 x20): they should have been refused with 401.',
    );
  });

  it('fails when the answers were neither accepted nor the refusal asked for', () => {
    const v = judge({ request: '/api/orders?auth=wrong-audience' }, mixed(500));
    expect(v.passed).toBe(false);
    expect(v.message).toBe(
      '20 of 20 requests to /api/orders?auth=wrong-audience were answered 500 x20, not refused with 401/403.',
    );
  });

  it('cannot pass when no such request was sent', () => {
    const v = judge({ request: 'POST /api/orders?auth=forged' }, mixed(401));
    expect(v).toMatchObject({ passed: false, observed: null });
    expect(v.message).toContain('no requests to POST /api/orders?auth=forged were sent');
  });

  it('has strict parameters', () => {
    expect(rejectedExpectation.params.safeParse({ statuses: [] }).success).toBe(false);
    expect(rejectedExpectation.params.safeParse({ status: 401 }).success).toBe(false);
  });
});
