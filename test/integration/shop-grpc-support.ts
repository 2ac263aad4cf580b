// A stand-in for the customers gRPC service (a real grpc-js server on
// 127.0.0.1 with the shop's proto) whose answers a test switches, to make the
// failures orders' gRPC policy must handle: UNAVAILABLE, UNKNOWN, a hang.
import * as grpc from '@grpc/grpc-js';
import { customersClientConstructor, loadCustomersDefinition } from '../../examples/shop/shared/customers-proto.ts';

/** What the fake answers GetCustomer with. */
export type FakeCustomersMode = 'ok' | 'unavailable' | 'unknown' | 'hang';

/** A running fake customers server. */
export interface FakeCustomers {
  /** host:port for CUSTOMERS_ADDR. */
  address: string;
  mode: FakeCustomersMode;
  /** GetCustomer calls received so far (every retry attempt is one). */
  readonly calls: number;
  close(): Promise<void>;
}

/** Starts the fake in `mode` (switchable later through `.mode`). */
export async function startFakeCustomers(mode: FakeCustomersMode): Promise<FakeCustomers> {
  const state = { mode, calls: 0 };
  const hanging: Array<() => void> = [];
  const server = new grpc.Server();
  server.addService(customersClientConstructor(loadCustomersDefinition()).service, {
    GetCustomer(call: grpc.ServerUnaryCall<{ id: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      state.calls += 1;
      if (state.mode === 'hang') {
        hanging.push(() => callback({ code: grpc.status.UNAVAILABLE, details: 'fake closed' }));
        return;
      }
      if (state.mode === 'unavailable') return callback({ code: grpc.status.UNAVAILABLE, details: 'fake unavailable' });
      if (state.mode === 'unknown') return callback({ code: grpc.status.UNKNOWN, details: 'fake unknown failure' });
      callback(null, { id: call.request.id, name: 'Fake', tier: 'standard', active: true });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: FakeCustomersMode) {
      state.mode = m;
    },
    get calls() {
      return state.calls;
    },
    close: async () => {
      for (const answer of hanging.splice(0)) answer();
      server.forceShutdown();
    },
  };
}
