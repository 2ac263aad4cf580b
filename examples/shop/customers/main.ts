// customers: the shop's gRPC service (proto/customers.proto), asked by orders
// on the order path.
//   shop.customers.v1.Customers/GetCustomer -> Customer | NOT_FOUND | INVALID_ARGUMENT
// Server reflection is on, so tools (and msa-verify) can list its services.
// The correlation ID comes in metadata `x-correlation-id` and is echoed in the
// response's initial metadata; trace context (`traceparent`) is read by the preload.
// With SHOP_SECURITY=mtls it serves TLS and requires a client certificate from the
// test CA (shared/grpc-tls.ts); a plain connection is refused.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import {
  CORRELATION_METADATA,
  type CustomerMessage,
  customersClientConstructor,
  loadCustomersDefinition,
} from '../shared/customers-proto.ts';
import { readConfigOrExit } from '../shared/env.ts';
import { grpcServerCredentials } from '../shared/grpc-tls.ts';
import { handleShutdown } from '../shared/lifecycle.ts';
import { createLogger } from '../shared/logger.ts';
import { describeSecurity, readSecurity } from '../shared/tls.ts';
import { lookUpCustomer } from './directory.ts';

const logger = createLogger('customers');
const security = readConfigOrExit(logger, readSecurity);
logger.info(describeSecurity(security), 'configured');
const definition = loadCustomersDefinition();
const service = customersClientConstructor(definition).service;

function correlationIdOf(metadata: grpc.Metadata): string {
  const value = metadata.get(CORRELATION_METADATA)[0];
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}

function getCustomer(
  call: grpc.ServerUnaryCall<{ id?: string }, CustomerMessage>,
  callback: grpc.sendUnaryData<CustomerMessage>,
): void {
  const correlationId = correlationIdOf(call.metadata);
  const echo = new grpc.Metadata();
  echo.set(CORRELATION_METADATA, correlationId);
  call.sendMetadata(echo);
  const id = call.request.id ?? '';
  const traceparent = call.metadata.get('traceparent')[0];
  logger.debug({ correlationId, customerId: id, traceparent }, 'GetCustomer');
  if (id === '') {
    callback({ code: grpc.status.INVALID_ARGUMENT, details: 'id must not be empty' });
    return;
  }
  const customer = lookUpCustomer(id);
  if (customer === undefined) {
    callback({ code: grpc.status.NOT_FOUND, details: `no customer ${id}` });
    return;
  }
  callback(null, customer);
}

const server = new grpc.Server();
server.addService(service, { GetCustomer: getCustomer });
new ReflectionService(definition).addToServer(server);

handleShutdown(logger, async () => {
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
});

const host = process.env.HOST ?? '127.0.0.1';
const requested = Number(process.env.PORT ?? '0');
server.bindAsync(
  `${host}:${Number.isInteger(requested) ? requested : 0}`,
  grpcServerCredentials(security),
  (error, port) => {
    if (error) {
      // The launcher recognises a taken port by this text.
      logger.fatal(
        { err: error },
        `cannot listen: ${/address already in use/i.test(error.message) ? 'EADDRINUSE' : error.message}`,
      );
      process.exit(1);
    }
    // bindAsync has finished: the port accepts calls from now on.
    logger.info({ port, host, address: `${host}:${port}`, tls: security.kind === 'mtls' }, 'listening');
  },
);
