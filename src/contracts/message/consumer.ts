import type { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { type Correlation, type CorrelationOption, correlationMatchers, resolveCorrelation } from '../correlation.js';
import { defaultPactDir } from '../pact-dir.js';
import { pactRecorder } from '../pact-recorder.js';
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
   * consumer's real handling code). A throwing handler fails the test and the
   * message is not kept; a passed one is kept in memory until
   * {@link MessageContract.write} (the same description and states again replaces it).
   */
  expect<T>(spec: MessageSpec, handler: (message: ReceivedMessage) => Promise<T>): Promise<T | undefined>;
  /**
   * Writes the passed messages not written yet to `<pactDir>/<consumer>-<provider>.json`,
   * merged into the file already there, in one write; returns the path, or undefined
   * when nothing was pending. When it runs by itself: see {@link HttpContract.write}.
   */
  write(): string | undefined;
}

/** Creates an asynchronous-message consumer contract (Pact V4). */
export function messageContract(options: MessageContractOptions): MessageContract {
  const correlation = resolveCorrelation(options.correlation);
  // One definition for the test's pact and the pact written at the end.
  const recorder = pactRecorder(
    {
      consumer: options.consumer,
      provider: options.provider,
      dir: options.pactDir ?? defaultPactDir(),
      logLevel: options.logLevel ?? 'error',
    },
    (on: PactV4, spec: MessageSpec) => {
      let builder = on.addAsynchronousInteraction();
      for (const state of spec.states ?? []) builder = builder.given(state.name, state.params as never);
      const metadata: Record<string, unknown> = { contentType: spec.contentType ?? 'application/json' };
      if (spec.routingKey !== undefined) metadata.routingKey = spec.routingKey;
      if (spec.topic !== undefined) metadata.topic = spec.topic;
      if (spec.key !== undefined) metadata.key = spec.key;
      Object.assign(metadata, spec.headers ?? {});
      if (correlation) Object.assign(metadata, correlationMatchers(correlation));
      return builder.expectsToReceive(spec.description, (b) => {
        b.withJSONContent(spec.content).withMetadata(metadata as never);
      });
    },
  );
  return {
    consumer: options.consumer,
    provider: options.provider,
    correlation,
    expect: (spec, handler) =>
      recorder.run(spec, (defined) =>
        defined.executeTest(async (m) => {
          const raw = m as unknown as { contents?: { content?: unknown }; metadata?: Record<string, unknown> };
          return handler({ content: raw.contents?.content, metadata: raw.metadata ?? {} });
        }),
      ),
    write: () => recorder.write(),
  };
}
