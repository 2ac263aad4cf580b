// Sends what a check declares, carrying the run's fresh correlation ID and no
// traceparent: the entry service's span must be the root of the trace.

import { parseDuration } from '../core/duration.js';
import { MsaVerifyError } from '../core/errors.js';
import { describeNetError } from '../core/probe.js';
import { sendRequest, type TargetSecurity } from '../core/security/index.js';
import type { TraceCheck } from './schema.js';

/** What came back from sending. */
export interface SendOutcome {
  /** HTTP status; null for a published message. */
  readonly status: number | null;
  /** When the request left, epoch ms. */
  readonly sentAt: number;
  /** When the answer (or the broker's confirm) arrived, epoch ms. */
  readonly answeredAt: number;
}

/**
 * Sends the check's HTTP request or publishes its message with `correlationId`.
 * @throws MsaVerifyError `MSAV_TARGET_UNREACHABLE` (exit 3) when the target or broker cannot be reached.
 */
export async function sendWithCorrelation(
  send: TraceCheck['send'],
  correlationId: string,
  security?: TargetSecurity,
): Promise<SendOutcome> {
  const sentAt = Date.now();
  if (send.http) {
    const h = send.http;
    const headers: Record<string, string> = { ...h.headers, [send.correlationHeader]: correlationId };
    let body: string | undefined;
    if (h.body !== undefined) {
      body = withId(typeof h.body === 'string' ? h.body : JSON.stringify(h.body), correlationId);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
    if (security?.auth) headers.authorization = await security.auth.authorization();
    try {
      if (security?.tls || security?.auth) {
        // node:https: fetch cannot present a client certificate.
        const answer = await sendRequest(h.url, {
          method: h.method,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: parseDuration(h.timeout),
          ...(security.tls ? { tls: security.tls } : {}),
        });
        return { status: answer.status, sentAt, answeredAt: Date.now() };
      }
      const res = await fetch(h.url, {
        method: h.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(parseDuration(h.timeout)),
      });
      await res.arrayBuffer();
      return { status: res.status, sentAt, answeredAt: Date.now() };
    } catch (cause) {
      throw new MsaVerifyError('MSAV_TARGET_UNREACHABLE', `${h.method} ${h.url}: ${describeNetError(cause)}`, {
        cause,
      });
    }
  }
  const m = send.message!.rabbitmq;
  const { default: amqp } = await import('amqplib');
  let connection: Awaited<ReturnType<typeof amqp.connect>> | undefined;
  try {
    connection = await amqp.connect(m.url, { timeout: 5000 });
    const channel = await connection.createConfirmChannel();
    const payload = Buffer.from(withId(typeof m.body === 'string' ? m.body : JSON.stringify(m.body), correlationId));
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        m.exchange,
        m.routingKey,
        payload,
        {
          contentType: 'application/json',
          persistent: true,
          headers: { ...m.headers, [send.correlationHeader]: correlationId },
        },
        (err) => (err ? reject(err) : resolve()),
      );
    });
    return { status: null, sentAt, answeredAt: Date.now() };
  } catch (cause) {
    const where = new URL(m.url);
    throw new MsaVerifyError(
      'MSAV_BROKER_UNAVAILABLE',
      `publish to ${m.exchange} at ${where.host}: ${describeNetError(cause)}`,
      { cause },
    );
  } finally {
    await connection?.close().catch(() => {});
  }
}

/** Replaces `{{correlationId}}` in a body, so that ids derived from it are fresh per run too. */
function withId(body: string, correlationId: string): string {
  return body.replaceAll('{{correlationId}}', correlationId);
}
