// The customers gRPC API (proto/customers.proto), loaded at run time with
// @grpc/proto-loader, for the customers server and the client in orders.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The .proto file of the customers service. */
export const CUSTOMERS_PROTO = path.resolve(import.meta.dirname, '../proto/customers.proto');
/** Fully qualified service name, as in the method paths and the service config. */
export const CUSTOMERS_SERVICE = 'shop.customers.v1.Customers';
/** Metadata key carrying the correlation ID (the same name as the HTTP header). */
export const CORRELATION_METADATA = 'x-correlation-id';

/** A GetCustomer answer (message shop.customers.v1.Customer). */
export interface CustomerMessage {
  id: string;
  name: string;
  tier: string;
  active: boolean;
}

// keepCase: field names as in the .proto; defaults: absent scalars are filled in
// (proto3 has no presence), so a client always sees every field.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, defaults: true, longs: String, enums: String };

/** The package definition (for the server, reflection and clients). */
export function loadCustomersDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(CUSTOMERS_PROTO, LOADER_OPTIONS);
}

/** The generated client constructor of shop.customers.v1.Customers. */
export function customersClientConstructor(definition: protoLoader.PackageDefinition): grpc.ServiceClientConstructor {
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    shop: { customers: { v1: { Customers: grpc.ServiceClientConstructor } } };
  };
  return loaded.shop.customers.v1.Customers;
}
