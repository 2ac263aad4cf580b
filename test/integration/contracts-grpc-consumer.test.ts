import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcContract } from '../../src/contracts/grpc/consumer.ts';
import { loadService } from '../../src/contracts/grpc/proto.ts';
import { ROOT } from '../support/services.js';

// The consumer side of gRPC contracts: the mock provider (a real grpc-js
// server) refuses requests that break the contract, and a test that never
// calls fails; neither writes a contract.
const PROTO = path.join(ROOT, 'examples/shop/proto/customers.proto');
const { definition } = loadService('customers.proto', path.dirname(PROTO), 'shop.customers.v1.Customers');
const Client = grpc.makeGenericClientConstructor(definition, 'Customers');

function call(address: string, id: string, metadata: Record<string, string>): Promise<number> {
  const client = new Client(address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve) => {
    (client as unknown as Record<string, (...a: unknown[]) => void>).GetCustomer!(
      { id },
      md,
      (error: grpc.ServiceError | null) => {
        client.close();
        resolve(error ? error.code : grpc.status.OK);
      },
    );
  });
}

async function contractIn(dir: string) {
  return grpcContract({
    consumer: 'orders',
    provider: 'customers',
    proto: PROTO,
    service: 'shop.customers.v1.Customers',
    correlation: { traceparent: false },
    pactDir: dir,
  });
}

const spec = {
  description: 'GetCustomer c-1',
  method: 'GetCustomer',
  request: { id: 'c-1' },
  response: { message: { id: 'c-1', name: 'Ada', tier: 'gold', active: true } },
};

describe('grpcContract (consumer side)', () => {
  it('writes the contract when the consumer sends what it declared', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-consumer-'));
    const contract = await contractIn(dir);
    await contract.interaction(spec, async ({ address, correlationMetadata }) => {
      expect(await call(address, 'c-1', correlationMetadata)).toBe(grpc.status.OK);
    });
    expect(await readdir(dir)).toEqual(['orders-customers.grpc.json']);
  });

  it('fails, naming the field, when the request does not match; writes nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-consumer-'));
    const contract = await contractIn(dir);
    await expect(
      contract.interaction(spec, async ({ address }) => {
        await call(address, 'c-2', {});
      }),
    ).rejects.toThrow(/request\.id: expected "c-1", got "c-2"[\s\S]*metadata\.x-correlation-id is missing/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails when the consumer never calls the method', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-consumer-'));
    const contract = await contractIn(dir);
    await expect(contract.interaction(spec, async () => undefined)).rejects.toThrow(
      'GetCustomer was never called: the interaction was not exercised',
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
