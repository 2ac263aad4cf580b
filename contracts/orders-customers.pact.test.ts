import { grpcContract, Matchers } from 'msa-verify/contracts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createCustomersClient } from '../examples/shop/orders/customers-client.ts';

// orders → customers over gRPC. The consumer is orders' real gRPC client
// (examples/shop/orders/customers-client.ts), pointed at msa-verify's mock
// gRPC provider; orders sends x-correlation-id in the metadata (traceparent
// only with the preload, so it is not required) and customers must echo it.
const contract = grpcContract({
  consumer: 'orders',
  provider: 'customers',
  proto: 'examples/shop/proto/customers.proto',
  service: 'shop.customers.v1.Customers',
  correlation: { header: 'x-correlation-id', traceparent: false, echo: true },
});

const client = (address: string) =>
  createCustomersClient(
    { address, deadlineMs: 5000, retry: undefined, breaker: undefined, cancelOnClientGone: false },
    pino({ level: 'silent' }),
  );
const signal = new AbortController().signal;

describe('orders → customers (gRPC)', () => {
  it('gets a customer who may order', async () => {
    await contract.interaction(
      {
        description: 'GetCustomer for an existing customer',
        states: [{ name: 'customer c-1 exists', params: { id: 'c-1' } }],
        method: 'GetCustomer',
        request: { id: 'c-1' },
        response: {
          message: {
            id: 'c-1',
            name: Matchers.string('Ada Lovelace'),
            tier: Matchers.regex('^(standard|gold)$', 'gold'),
            active: Matchers.boolean(true),
          },
        },
      },
      async ({ address, correlationMetadata }) => {
        const found = await client(address)('c-1', {
          correlationId: correlationMetadata['x-correlation-id']!,
          signal,
        });
        expect(found).toEqual({
          kind: 'found',
          customer: { id: 'c-1', name: 'Ada Lovelace', tier: 'gold', active: true },
        });
      },
    );
  });

  it('is told NOT_FOUND for an unknown customer', async () => {
    await contract.interaction(
      {
        description: 'GetCustomer for an unknown customer',
        states: [{ name: 'customer nobody does not exist', params: { id: 'nobody' } }],
        method: 'GetCustomer',
        request: { id: 'nobody' },
        response: { status: 'NOT_FOUND' },
      },
      async ({ address, correlationMetadata }) => {
        const found = await client(address)('nobody', {
          correlationId: correlationMetadata['x-correlation-id']!,
          signal,
        });
        expect(found).toEqual({ kind: 'not_found' });
      },
    );
  });
});
