// Shared shapes of the contracts library (no pact import: safe for the CLI to load eagerly).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A provider state with its parameters, e.g. `{ name: 'product exists', params: { id: 'p-1' } }`. */
export interface ProviderStateSpec {
  readonly name: string;
  readonly params?: Record<string, JsonValue>;
}

/** A provider state as the verifier hands it to a handler. */
export type StateParams = Record<string, unknown>;

/**
 * Sets up (or tears down) one provider state. May return values the verifier
 * injects into the request (Pact's provider-state injected values).
 */
export type StateHandler =
  | ((params: StateParams) => Promise<Record<string, unknown> | undefined>)
  | {
      readonly setup?: (params: StateParams) => Promise<Record<string, unknown> | undefined>;
      readonly teardown?: (params: StateParams) => Promise<Record<string, unknown> | undefined>;
    };

/** State handlers keyed by state name. */
export type StateHandlers = Readonly<Record<string, StateHandler>>;

/** A message as a provider produced it: body plus flat metadata (contentType, routingKey, headers...). */
export interface ProducedMessage {
  readonly content: unknown;
  /** Flat metadata: `contentType`, `routingKey` or `topic`, and each header by its name. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What a provider answered to a {@link ProviderRequest}: status, headers, the body as text. */
export interface ProviderAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/**
 * One HTTP(S) request to the provider as msa-verify's config says to reach it:
 * the provider's `tls` (CA, client certificate) for https: URLs, and a fresh
 * `authorization` from its `auth` unless the request sets its own. Rejects on
 * a connection or TLS error, or after `timeoutMs` (default 10000).
 */
export type ProviderRequest = (
  url: string,
  init?: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly timeoutMs?: number;
  },
) => Promise<ProviderAnswer>;

/** What msa-verify hands a message producer besides the states. */
export interface ProducerContext {
  /** The provider's URL from the config (`url`, or its `service`'s), when it has one. */
  readonly providerUrl?: string;
  /** Requests to the provider with its TLS material and credentials (a secured provider needs them to publish). */
  readonly request: ProviderRequest;
}

/**
 * Calls the provider's real producing code for one message description.
 * `context` is given by `contracts verify` (a producer called directly may not get it).
 */
export type MessageProducer = (
  states: readonly { name: string; params: StateParams }[],
  context?: ProducerContext,
) => Promise<ProducedMessage>;

/** Runs before or after each interaction (pact-js's `beforeEach`/`afterEach`). A throw fails that interaction. */
export type ProviderHook = () => Promise<unknown> | unknown;

/** A request on its way to the provider, as a {@link RequestFilter} sees it (Node's request, as in express). */
export interface FilteredRequest extends IncomingMessage {
  /** The parsed body, when it was JSON or form data. */
  body?: unknown;
}

/**
 * Changes each request before it reaches the provider, like pact-js's
 * `requestFilter` (an express middleware): edit `req.headers`, then call
 * `next()`. Runs after `requestHeaders` were added. Not called for
 * provider-state changes or messages.
 */
export type RequestFilter = (req: FilteredRequest, res: ServerResponse, next: () => void) => void;

/**
 * What a provider module (`contracts.providers.<name>.module`) may export.
 * Every export is optional.
 */
export interface ProviderModule {
  readonly stateHandlers?: StateHandlers;
  /** Producers keyed by message description. */
  readonly messages?: Readonly<Record<string, MessageProducer>>;
  /** Runs before verification (e.g. starts the provider); may return its URL. */
  readonly setup?: () => Promise<{ url?: string } | undefined>;
  readonly teardown?: () => Promise<void>;
  /** Runs before each interaction, before its states are set up. */
  readonly beforeEach?: ProviderHook;
  /** Runs after each interaction, after its states were torn down. */
  readonly afterEach?: ProviderHook;
  readonly requestFilter?: RequestFilter;
}
