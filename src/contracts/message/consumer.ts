import { type MatchersV3, PactV4 } from '@pact-foundation/pact';
import { type Correlation, type CorrelationOption, correlationMatchers, resolveCorrelation } from '../correlation.js';
import { defaultPactDir } from '../pact-dir.js';
import type { ProviderStateSpec } from '../types.js';

type Matchable<T> = T | MatchersV3.Matcher<T>;

/** One asynchronous message the consumer expects. Values may be matchers. */
export interface MessageSpec {
  /** Message description; the provider's producer is looked up by it. */
  readonly description: string;
  readonly states?: readonly ProviderStateSpec[];
  /** JSON body (matchers allowed). */
  readonly content: unknown;
  /** Content type. Default `application/json`. */
  readonly contentType?: string;
  /** AMQP routing key (metadata `routingKey`). */
  readonly routingKey?: Matchable<string>;
  /** Kafka-style topic (metadata `topic`). */
  readonly topic?: Matchable<string>;
  /** Kafka record key (metadata `key`). */
  readonly key?: Matchable<string>;
  /** Message headers, each a metadata key. */
  readonly headers?: Record<string, Matchable<string>>;
}

/** The message handed to the consumer's handler (example values reified). */
export interface ReceivedMessage {
  readonly content: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Options for {@link messageContract}. */
export interface MessageContractOptions {
  readonly consumer: string;
  readonly provider: string;
  /** Folder the pact file is written to. Default: $MSA_VERIFY_PACT_DIR (set by `msa-verify contracts test`), else `contracts/pacts`. */
  readonly pactDir?: string;
  /** Require `traceparent` and the correlation header in message headers. Default off. */
  readonly correlation?: CorrelationOption;
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
}

/** A consumer/provider message contract under construction. */
export interface MessageContract {
  readonly consumer: string;
  readonly provider: string;
  readonly correlation: Correlation | undefined;
  /**
   * Registers the expected message and passes an example to `handler` (the
   * consumer's real handling code). A throwing handler fails the test; on
   * success the pact file is written (merged) into `pactDir`.
   */
  expect<T>(spec: MessageSpec, handler: (message: ReceivedMessage) => Promise<T>): Promise<T | undefined>;
}

/** Creates an asynchronous-message consumer contract (Pact V4). */
export function messageContract(options: MessageContractOptions): MessageContract {
  const correlation = resolveCorrelation(options.correlation);
  const pact = new PactV4({
    consumer: options.consumer,
    provider: options.provider,
    dir: options.pactDir ?? defaultPactDir(),
    logLevel: options.logLevel ?? 'error',
  });
  return {
    consumer: options.consumer,
    provider: options.provider,
    correlation,
    expect: async (spec, handler) => {
      let builder = pact.addAsynchronousInteraction();
      for (const state of spec.states ?? []) builder = builder.given(state.name, state.params as never);
      const metadata: Record<string, unknown> = { contentType: spec.contentType ?? 'application/json' };
      if (spec.routingKey !== undefined) metadata.routingKey = spec.routingKey;
      if (spec.topic !== undefined) metadata.topic = spec.topic;
      if (spec.key !== undefined) metadata.key = spec.key;
      Object.assign(metadata, spec.headers ?? {});
      if (correlation) Object.assign(metadata, correlationMatchers(correlation));
      return builder
        .expectsToReceive(spec.description, (b) => {
          b.withJSONContent(spec.content).withMetadata(metadata as never);
        })
        .executeTest(async (m) => {
          const raw = m as unknown as { contents?: { content?: unknown }; metadata?: Record<string, unknown> };
          return handler({ content: raw.contents?.content, metadata: raw.metadata ?? {} });
        });
    },
  };
}
