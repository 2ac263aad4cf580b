import { type MatchersV3, PactV4, type V3MockServer as V4MockServer } from '@pact-foundation/pact';
import {
  type Correlation,
  type CorrelationOption,
  correlationExample,
  correlationMatchers,
  resolveCorrelation,
} from '../correlation.js';
import { defaultPactDir } from '../pact-dir.js';
import type { JsonValue, ProviderStateSpec } from '../types.js';

type Matchable<T> = T | MatchersV3.Matcher<T>;

/** The request a consumer sends. Values may be matchers. */
export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  readonly path: Matchable<string>;
  readonly query?: Record<string, Matchable<string> | Matchable<string>[]>;
  readonly headers?: Record<string, Matchable<string>>;
  /** JSON body (matchers allowed). */
  readonly body?: unknown;
}

/** The response the consumer relies on. Values may be matchers. */
export interface HttpResponseSpec {
  readonly status: number;
  readonly headers?: Record<string, Matchable<string>>;
  /** JSON body (matchers allowed). */
  readonly body?: unknown;
}

/** One HTTP interaction. */
export interface HttpInteractionSpec {
  readonly description: string;
  readonly states?: readonly ProviderStateSpec[];
  readonly request: HttpRequestSpec;
  readonly response: HttpResponseSpec;
}

/** Options for {@link httpContract}. */
export interface HttpContractOptions {
  readonly consumer: string;
  readonly provider: string;
  /** Folder the pact file is written to. Default: $MSA_VERIFY_PACT_DIR (set by `msa-verify contracts test`), else `contracts/pacts`. */
  readonly pactDir?: string;
  /**
   * Require correlation on every request: `traceparent` and the correlation
   * header (default `x-correlation-id`), matched by regex. Default off.
   */
  readonly correlation?: CorrelationOption;
  /** Port of the mock provider (so a real consumer can be pointed at it up front). Default: a free port per test. */
  readonly port?: number;
  /** Pact core log level. Default `error`. */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
}

/** What a consumer test body receives. */
export interface HttpTestContext {
  /** Base URL of the Pact mock provider. */
  readonly url: string;
  /** Correlation headers (example values) the consumer must send when correlation is on; else empty. */
  readonly correlationHeaders: Readonly<Record<string, string>>;
  readonly mockServer: V4MockServer;
}

/** A consumer/provider HTTP contract under construction. */
export interface HttpContract {
  readonly consumer: string;
  readonly provider: string;
  readonly correlation: Correlation | undefined;
  /**
   * Registers an interaction and runs `test` against the mock provider. The
   * test fails when the consumer's requests do not match; on success the pact
   * file is written (merged) into `pactDir`.
   */
  interaction<T>(spec: HttpInteractionSpec, test: (ctx: HttpTestContext) => Promise<T>): Promise<T | undefined>;
}

/** Creates an HTTP consumer contract (Pact V4). */
export function httpContract(options: HttpContractOptions): HttpContract {
  const correlation = resolveCorrelation(options.correlation);
  const pact = new PactV4({
    consumer: options.consumer,
    provider: options.provider,
    dir: options.pactDir ?? defaultPactDir(),
    logLevel: options.logLevel ?? 'error',
    ...(options.port ? { port: options.port } : {}),
  });
  return {
    consumer: options.consumer,
    provider: options.provider,
    correlation,
    interaction: async (spec, test) => {
      let builder = pact.addInteraction();
      for (const state of spec.states ?? []) builder = builder.given(state.name, state.params as never);
      const headers = { ...(spec.request.headers ?? {}), ...(correlation ? correlationMatchers(correlation) : {}) };
      return builder
        .uponReceiving(spec.description)
        .withRequest(spec.request.method, spec.request.path, (b) => {
          if (Object.keys(headers).length > 0) b.headers(headers);
          if (spec.request.query) b.query(spec.request.query as never);
          if (spec.request.body !== undefined) b.jsonBody(spec.request.body);
        })
        .willRespondWith(spec.response.status, (b) => {
          const echoed = correlation?.echo
            ? {
                [correlation.header]: correlationMatchers(correlation)[
                  correlation.header
                ] as MatchersV3.Matcher<string>,
              }
            : {};
          const responseHeaders = { ...(spec.response.headers ?? {}), ...echoed };
          if (Object.keys(responseHeaders).length > 0) b.headers(responseHeaders);
          if (spec.response.body !== undefined) b.jsonBody(spec.response.body as JsonValue);
        })
        .executeTest((mockServer) =>
          test({
            url: mockServer.url,
            correlationHeaders: correlation ? correlationExample(correlation) : {},
            mockServer,
          }),
        );
    },
  };
}
