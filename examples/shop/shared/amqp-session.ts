import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { withHeartbeat } from './messaging.ts';

/** What a connected session hands to its user. */
export interface AmqpLink {
  connection: ChannelModel;
  /** Settles (never rejects) when the connection closes or fails. */
  closed: Promise<void>;
}

/** Options for {@link startAmqpSession}. */
export interface AmqpSessionOptions {
  url: string;
  logger: Logger;
  /**
   * Uses a fresh connection until it is done with it. Resolve when the
   * connection closed (await `link.closed`); throw to force a reconnect.
   */
  use: (link: AmqpLink) => Promise<void>;
  /** First reconnect delay, ms (default 200); doubles up to `maxDelayMs` (default 2000). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** A running session: reconnects until stopped. */
export interface AmqpSession {
  /** True while a connection is up and `use` runs on it. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

/**
 * Keeps one AMQP connection up: connects, runs `use` on it, and when the
 * connection goes away (broker down, network cut, heartbeat missed) waits with
 * exponential backoff and connects again, until stop() is called.
 */
export function startAmqpSession(options: AmqpSessionOptions): AmqpSession {
  const minDelay = options.minDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 2000;
  const url = withHeartbeat(options.url);
  const stopController = new AbortController();
  let current: ChannelModel | undefined;
  let connected = false;

  const loop = async (): Promise<void> => {
    let delay = minDelay;
    while (!stopController.signal.aborted) {
      try {
        const connection = await amqp.connect(url, { timeout: 5000 });
        current = connection;
        const closed = new Promise<void>((resolve) => {
          connection.once('close', () => resolve());
          connection.on('error', (err: unknown) => {
            options.logger.warn({ err }, 'rabbitmq connection error');
            resolve();
          });
        });
        if (stopController.signal.aborted) {
          await connection.close().catch(() => {});
          break;
        }
        connected = true;
        delay = minDelay;
        options.logger.info('connected to rabbitmq');
        await options.use({ connection, closed });
      } catch (error) {
        options.logger.warn({ err: error }, 'rabbitmq unavailable');
      } finally {
        connected = false;
        const old = current;
        current = undefined;
        await old?.close().catch(() => {});
      }
      if (stopController.signal.aborted) break;
      options.logger.info({ delayMs: delay }, 'reconnecting to rabbitmq');
      await sleep(delay, undefined, { signal: stopController.signal }).catch(() => {});
      delay = Math.min(maxDelay, delay * 2);
    }
  };
  const running = loop();

  return {
    get connected() {
      return connected;
    },
    async stop() {
      stopController.abort();
      await current?.close().catch(() => {});
      await running;
    },
  };
}
