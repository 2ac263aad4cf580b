import { randomUUID } from 'node:crypto';
import type { ProducedMessage } from '../types.js';

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
