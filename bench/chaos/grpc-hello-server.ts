// gRPC server for bench/chaos/grpc-load-bench.ts: the shop's customers API
// (examples/shop/proto/customers.proto), answering GetCustomer at once.
// Prints its port on stdout; exits when stdin closes.
import * as grpc from '@grpc/grpc-js';
import { customersClientConstructor, loadCustomersDefinition } from '../../examples/shop/shared/customers-proto.ts';

const server = new grpc.Server();
server.addService(customersClientConstructor(loadCustomersDefinition()).service, {
  GetCustomer(call: grpc.ServerUnaryCall<{ id: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
    callback(null, { id: call.request.id, name: 'Ada Lovelace', tier: 'gold', active: true });
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${port}\n`);
});
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
