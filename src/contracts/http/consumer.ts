import type { MatchersV3, PactV4, V3MockServer as V4MockServer } from '@pact-foundation/pact';
import {
  type Correlation,
  type CorrelationOption,
  correlationExample,
  correlationMatchers,
  resolveCorrelation,
} from '../correlation.js';
import { defaultPactDir } from '../pact-dir.js';
import { pactRecorder } from '../pact-recorder.js';
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
   * Registers an interaction and runs `test` against Pact's mock provider
   * (a fresh mock server holding this interaction alone). The test fails when
   * the consumer's requests do not match or `test` throws; then the
   * interaction is not kept. A passed interaction is kept in memory until
   * {@link HttpContract.write} (the same description and states again
   * replaces it).
   */
  interaction<T>(spec: HttpInteractionSpec, test: (ctx: HttpTestContext) => Promise<T>): Promise<T | undefined>;
  /**
   * Writes the passed interactions not written yet to `<pactDir>/<consumer>-<provider>.json`,
   * merged into the file already there (as pact-js does), in one write; returns the
   * path, or undefined when nothing was pending. Called for you after each test file
   * under `msa-verify contracts test` and when the process exits normally; call it
   * in an `afterAll` when vitest runs the tests directly (its workers skip exit
   * handlers), or use `writePendingPacts()` for every contract.
   */
  write(): string | undefined;
}

/** Creates an HTTP consumer contract (Pact V4). */
export function httpContract(options: HttpContractOptions): HttpContract {
  const correlation = resolveCorrelation(options.correlation);
  // The same definition serves the test's one-interaction pact and the pact
  // written at the end, so the file holds exactly what the mock server checked.
  const recorder = pactRecorder(
    {
      consumer: options.consumer,
      provider: options.provider,
      dir: options.pactDir ?? defaultPactDir(),
      logLevel: options.logLevel ?? 'error',
      ...(options.port ? { port: options.port } : {}),
    },
    (on: PactV4, spec: HttpInteractionSpec) => {
      let builder = on.addInteraction();
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
        });
    },
  );
  return {
    consumer: options.consumer,
    provider: options.provider,
    correlation,
    interaction: (spec, test) =>
      recorder.run(spec, (defined) =>
        defined.executeTest((mockServer) =>
          test({
            url: mockServer.url,
            correlationHeaders: correlation ? correlationExample(correlation) : {},
            mockServer,
          }),
        ),
      ),
    write: () => recorder.write(),
  };
}
