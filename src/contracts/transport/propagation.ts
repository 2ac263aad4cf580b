import { randomUUID } from 'node:crypto';
import { sendRequest } from '../../core/security/request.js';
import type { ProducedMessage, ProducerContext, ProviderRequest } from '../types.js';

/** A fresh correlation id for one transport-level check (`msav-<uuid>`). */
export function freshCorrelationId(): string {
  return `msav-${randomUUID()}`;
}

/**
 * The message as Pact should see it: when `header` is checked and the message
 * carries another id than the one the provider was called with, the header's
 * value becomes `not propagated: sent ..., got ...`, so Pact's metadata
 * comparison fails on that header and the report says why.
 */
export function withPropagationCheck(
  message: ProducedMessage,
  header: string | undefined,
  correlationId: string,
): ProducedMessage {
  const metadata = { ...message.metadata };
  const got = header === undefined ? undefined : metadata[header];
  if (header !== undefined && got !== undefined && got !== correlationId) {
    metadata[header] = `not propagated: sent ${correlationId}, got ${got}`;
  }
  return { content: message.content, metadata };
}

/** What a transport producer's trigger gets besides the provider states. */
export interface TriggerContext {
  /** A fresh correlation id the trigger should send with the request that makes the provider publish. */
  readonly correlationId: string;
  /** The provider's URL from the config, when it has one. */
  readonly providerUrl?: string;
  /**
   * Requests to the provider with the config's TLS material and credentials for it
   * (plain requests when the producer is called without a context).
   */
  readonly request: ProviderRequest;
}

/** A request without TLS material or credentials, for producers called outside `contracts verify`. */
const plainRequest: ProviderRequest = (url, init = {}) => sendRequest(url, init);

/** The trigger's context for one message: the fresh id, and what `contracts verify` handed the producer. */
export function triggerContext(correlationId: string, context: ProducerContext | undefined): TriggerContext {
  return {
    correlationId,
    request: context?.request ?? plainRequest,
    ...(context?.providerUrl ? { providerUrl: context.providerUrl } : {}),
  };
}
