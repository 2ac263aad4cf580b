// orders' gRPC client of customers: GetCustomer with the correlation ID in
// metadata, a deadline per call, grpc-js retries from the service config and a
// cockatiel breaker around the whole call (see customers-policy.ts).
import * as grpc from '@grpc/grpc-js';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type IDefaultPolicyContext,
  type IPolicy,
  noop,
} from 'cockatiel';
import type { Logger } from 'pino';
import {
  CORRELATION_METADATA,
  CUSTOMERS_SERVICE,
  type CustomerMessage,
  customersClientConstructor,
  loadCustomersDefinition,
} from '../shared/customers-proto.ts';
import { type CustomersSettings, customersServiceConfig } from './customers-policy.ts';

/** Why customers could not answer, as reported in a 503 `customers_unavailable` body. */
export type CustomersUnavailableReason = 'circuit_open' | 'timeout' | 'upstream_error';

/** customers could not be asked: breaker open, deadline exceeded, or the call failed. */
export class CustomersUnavailableError extends Error {
  override readonly name = 'CustomersUnavailableError';
  readonly reason: CustomersUnavailableReason;
  constructor(reason: CustomersUnavailableReason, cause: unknown) {
    super(`customers unavailable (${reason})`, { cause });
    this.reason = reason;
  }
}

/** What customers said about a customer id. */
export type CustomerLookup = { kind: 'found'; customer: CustomerMessage } | { kind: 'not_found' };

/** Looks a customer up. */
export type GetCustomer = (
  id: string,
  options: { correlationId: string; signal: AbortSignal },
) => Promise<CustomerLookup>;

// Answers that are the service's verdict, not a failure of it: they do not count for the breaker.
const ANSWERS = new Set<number>([grpc.status.NOT_FOUND, grpc.status.INVALID_ARGUMENT]);

function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}

/**
 * A client for `settings.address` (which must be set), over a channel with
 * `credentials` (default insecure; TLS with orders' client certificate in mtls
 * mode: shared/grpc-tls.ts).
 */
export function createCustomersClient(
  settings: CustomersSettings & { address: string; credentials?: grpc.ChannelCredentials },
  logger: Logger,
): GetCustomer {
  const Client = customersClientConstructor(loadCustomersDefinition());
  const client = new Client(settings.address, settings.credentials ?? grpc.credentials.createInsecure(), {
    'grpc.service_config': customersServiceConfig(settings, CUSTOMERS_SERVICE),
    'grpc.enable_retries': settings.retry ? 1 : 0,
    // Reconnect at most 1 s after customers is back (grpc-js backs off up to 120 s by default),
    // so recovery is bounded by the breaker's half-open delay, not by the channel.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 1000,
  }) as unknown as grpc.Client & {
    GetCustomer(
      request: { id: string },
      metadata: grpc.Metadata,
      options: grpc.CallOptions,
      callback: grpc.requestCallback<CustomerMessage>,
    ): grpc.ClientUnaryCall;
  };
  // Connect now rather than on the first order: that one would otherwise pay for the
  // connection (and, under the preload, more) within its deadline.
  client.getChannel().getConnectivityState(true);
  let policy: IPolicy<IDefaultPolicyContext> = noop;
  if (settings.breaker) {
    const breaker = circuitBreaker(
      handleWhen((error) => !(isServiceError(error) && ANSWERS.has(error.code))),
      { halfOpenAfter: settings.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breaker.threshold) },
    );
    breaker.onBreak(() => logger.warn({ threshold: settings.breaker?.threshold }, 'customers breaker opened'));
    breaker.onHalfOpen(() => logger.info('customers breaker half-open: trying customers again'));
    breaker.onReset(() => logger.info('customers breaker closed'));
    policy = breaker;
  }

  const call = (id: string, correlationId: string, signal: AbortSignal | undefined): Promise<CustomerLookup> =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      metadata.set(CORRELATION_METADATA, correlationId);
      const options: grpc.CallOptions =
        settings.deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + settings.deadlineMs) };
      const pending = client.GetCustomer({ id }, metadata, options, (error, customer) => {
        signal?.removeEventListener('abort', cancel);
        if (error && error.code === grpc.status.NOT_FOUND) resolve({ kind: 'not_found' });
        else if (error) reject(error);
        else resolve({ kind: 'found', customer: customer! });
      });
      const cancel = (): void => pending.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
    });

  return async (id, { correlationId, signal }) => {
    try {
      return await policy.execute(() => call(id, correlationId, settings.cancelOnClientGone ? signal : undefined));
    } catch (error) {
      throw new CustomersUnavailableError(reasonOf(error), error);
    }
  };
}

function reasonOf(error: unknown): CustomersUnavailableReason {
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (isServiceError(error) && error.code === grpc.status.DEADLINE_EXCEEDED) return 'timeout';
  return 'upstream_error';
}
