import type { VerifierOptions } from '@pact-foundation/pact';
// The verifier alone: the package's index also loads the consumer DSL, about a third of its load time.
import { Verifier } from '@pact-foundation/pact/src/dsl/verifier/verifier.js';
import { isMsaVerifyError, MsaVerifyError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ContractPairResult } from '../../core/results.js';
import { sendRequest } from '../../core/security/request.js';
import type {
  MessageProducer,
  ProducerContext,
  ProviderHook,
  ProviderRequest,
  RequestFilter,
  StateHandlers,
} from '../types.js';
import { type PactVerifierReport, toPairResults } from './results.js';
import { applyStateProblems, createStateDispatch, type StateChange, type StateDispatch } from './state-dispatch.js';

/** Where the pacts come from when a Pact Broker is used. */
export interface BrokerSource {
  readonly url: string;
  /** Bearer token; never logged or returned. */
  readonly token?: string;
  /** Basic-authentication user name. */
  readonly username?: string;
  /** Basic-authentication password; never logged or returned. */
  readonly password?: string;
  /** Which pacts the broker gives. Default `[{ latest: true }]` (the latest pact of each consumer). */
  readonly consumerVersionSelectors?: readonly Record<string, unknown>[];
  /** Default true. */
  readonly enablePending?: boolean;
  /** `YYYY-MM-DD`: include WIP pacts since then. */
  readonly includeWipPactsSince?: string;
  /** Publish verification results. Default false. */
  readonly publishResults?: boolean;
}

/** Pact's log levels. */
export type PactLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Options for {@link verifyProvider}. */
export interface VerifyProviderOptions {
  /** Provider name as written in the pacts. */
  readonly provider: string;
  /** Base URL of the HTTP provider (needed when any pact has HTTP interactions). */
  readonly url?: string;
  /** Pact files (absolute paths) and pact URLs. Used instead of `broker` when given. */
  readonly pactFiles?: readonly string[];
  readonly broker?: BrokerSource;
  /** State handlers in code. */
  readonly stateHandlers?: StateHandlers;
  /** State-change URL instead of handlers in code (receives `{state, params, action}`). */
  readonly stateChangeUrl?: string;
  /** States that need no set-up; any other state without a handler fails its interactions. Default none. */
  readonly statesWithoutSetup?: readonly string[];
  /** Runs before each interaction; a throw fails the interaction. */
  readonly beforeEach?: ProviderHook;
  /** Runs after each interaction; a throw fails the interaction. */
  readonly afterEach?: ProviderHook;
  /** Headers added to every request to the provider (values may be secrets: never logged). */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  /** Changes each request to the provider after `requestHeaders` were added. */
  readonly requestFilter?: RequestFilter;
  /** Producers of this provider's messages, keyed by message description. */
  readonly messages?: Readonly<Record<string, MessageProducer>>;
  /** Result kind of each consumer's pair. Default: `message` when `messages` is set and no `url`, else `http`. */
  readonly kindOf?: (consumer: string) => ContractPairResult['kind'];
  /** Version reported with published results. Required when `broker.publishResults` is true. */
  readonly providerVersion?: string;
  readonly providerBranch?: string;
  /** Tags of the provider version, applied when results are published. Default none. */
  readonly providerVersionTags?: readonly string[];
  /** Timeout of one request to the provider in milliseconds. Default 10000. */
  readonly timeoutMs?: number;
  /** Accept any TLS certificate (provider and broker). Default false. */
  readonly disableSslVerification?: boolean;
  /** Pact's own log level (its output goes to stdout). Default `error`. */
  readonly logLevel?: PactLogLevel;
  /**
   * CA to trust and client certificate to present to an https provider. Pact's
   * core verifier cannot present a client certificate; pact-js's proxy in front
   * of it can (its `tlsClientOptions`), so they go there, and the server is
   * verified against `ca`.
   */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** The `Authorization` value for each provider request (a fresh token when it expires). */
  readonly authorization?: () => Promise<string>;
  /**
   * The provider's URL from the config, handed to message producers (with a
   * request function that uses `tls` and `authorization`), also when the
   * provider is verified for messages only and `url` is not set.
   */
  readonly providerUrl?: string;
}

/** What the message producers get: the provider's URL and requests secured as the config says. */
function producerContext(options: VerifyProviderOptions): ProducerContext {
  const request: ProviderRequest = async (url, init = {}) => {
    const headers = { ...init.headers };
    const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    if (options.authorization && !own) headers.authorization = await options.authorization();
    return sendRequest(url, { ...init, headers, ...(options.tls ? { tls: options.tls } : {}) });
  };
  const providerUrl = options.providerUrl ?? options.url;
  return { request, ...(providerUrl ? { providerUrl } : {}) };
}

/**
 * Verifies one provider against its pacts with pact-js's Verifier and returns
 * one result per consumer. Mismatches are data (`passed: false`); a throw
 * means the verification could not run. Provider states, hooks and request
 * headers are handled by msa-verify (see state-dispatch.ts): a state without a
 * handler fails its interaction.
 *
 * Note: Pact's core prints its own report to stdout; the CLI runs this in a
 * child process to keep its console and `--json` output clean.
 */
export async function verifyProvider(options: VerifyProviderOptions): Promise<ContractPairResult[]> {
  if (options.broker?.publishResults && !options.providerVersion) {
    throw new MsaVerifyError(
      'MSAV_USAGE',
      `verification results of ${options.provider} cannot be published without a provider version`,
    );
  }
  // A producer that cannot reach what it needs (RabbitMQ, the provider) makes
  // the run "could not run" (exit 3), not a broken contract.
  let environmentError: MsaVerifyError | undefined;
  const producerErrors = new Map<string, string>();
  const context = producerContext(options);
  const messageProviders = Object.fromEntries(
    Object.entries(options.messages ?? {}).map(([description, produce]) => [
      description,
      async (descriptor: { providerStates?: { name: string; params?: Record<string, unknown> }[] }) => {
        const states = (descriptor.providerStates ?? []).map((s) => ({ name: s.name, params: s.params ?? {} }));
        try {
          const produced = await produce(states, context);
          return { __pactMessageMetadata: { ...produced.metadata }, message: produced.content };
        } catch (error) {
          environmentError ??= asEnvironmentError(error, description);
          // Pact sees only an empty message: keep why, for the interaction's report.
          producerErrors.set(description, error instanceof Error ? error.message : String(error));
          throw error;
        }
      },
    ]),
  );
  const timeout = options.timeoutMs ?? 10_000;
  const states = createStateDispatch({
    provider: options.provider,
    stateHandlers: options.stateHandlers,
    stateChangeUrl: options.stateChangeUrl,
    statesWithoutSetup: options.statesWithoutSetup,
    beforeEach: options.beforeEach,
    afterEach: options.afterEach,
    timeoutMs: timeout,
  });
  const config: Record<string, unknown> = {
    provider: options.provider,
    logLevel: options.logLevel ?? 'error',
    timeout,
    // Only sent to the broker when results are published (checked above).
    providerVersion: options.providerVersion ?? '0.0.0-local',
    requestFilter: proxyFilter(states, options.requestHeaders ?? {}, withAuthorization(options)),
  };
  if (Object.keys(messageProviders).length > 0) config.messageProviders = messageProviders;
  if (options.url) config.providerBaseUrl = options.url;
  if (options.providerBranch) config.providerVersionBranch = options.providerBranch;
  if (options.providerVersionTags?.length) config.providerVersionTags = [...options.providerVersionTags];
  if (options.tls && options.url?.startsWith('https:')) {
    // http-proxy reads ca next to cert and key from the target (pact-js's type lists only cert/key/pfx).
    config.tlsClientOptions = { ...options.tls };
    config.validateSSL = true;
  }
  if (options.disableSslVerification) {
    config.disableSslVerification = true;
    config.validateSSL = false;
  }
  const b = options.broker;
  if (b) {
    config.pactBrokerUrl = b.url;
    if (b.token) config.pactBrokerToken = b.token;
    if (b.username) config.pactBrokerUsername = b.username;
    if (b.password) config.pactBrokerPassword = b.password;
    config.publishVerificationResult = b.publishResults ?? false;
  }
  if (options.pactFiles) {
    config.pactUrls = [...options.pactFiles];
  } else if (b) {
    // Without selectors pact-js refuses a broker source; the broker's own default is the latest pact per consumer.
    config.consumerVersionSelectors = b.consumerVersionSelectors ?? [{ latest: true }];
    config.enablePending = b.enablePending ?? true;
    if (b.includeWipPactsSince) config.includeWipPactsSince = b.includeWipPactsSince;
    // No pact from the broker is an outcome (the caller decides), not a core error.
    config.failIfNoPactsFound = false;
  }
  const kindOf =
    options.kindOf ?? (() => (options.messages && !options.url ? 'message' : 'http') as ContractPairResult['kind']);
  const started = performance.now();
  let raw: string;
  try {
    raw = await new Verifier(config as VerifierOptions).verifyProvider();
  } catch (error) {
    raw = error instanceof Error ? error.message : String(error);
  }
  const wallMs = performance.now() - started;
  if (environmentError) throw environmentError;
  let report: PactVerifierReport;
  try {
    report = JSON.parse(raw) as PactVerifierReport;
  } catch (cause) {
    const secrets = [b?.token, b?.password, ...Object.values(options.requestHeaders ?? {})];
    const clean = secrets.reduce<string>((t, s) => (s ? t.split(s).join('***') : t), raw);
    const code = b && !options.pactFiles ? 'MSAV_BROKER_UNAVAILABLE' : 'MSAV_TARGET_UNREACHABLE';
    throw new MsaVerifyError(code, `verification of ${options.provider} could not run: ${clean.slice(0, 500)}`, {
      cause,
    });
  }
  if (options.url) nameProviderInErrors(report, options.url);
  const produced = new Set(Object.keys(options.messages ?? {}));
  applyStateProblems(report, states.problems, (d) => produced.has(d));
  applyProducerErrors(report, producerErrors);
  return toPairResults(report, options.provider, kindOf, wallMs);
}

/** Puts a producer's own error first among its interaction's mismatches (Pact reports only the empty message). */
function applyProducerErrors(report: PactVerifierReport, errors: ReadonlyMap<string, string>): void {
  for (const r of report.interactionResults ?? []) {
    const error = errors.get(r.description ?? '');
    if (error === undefined) continue;
    const mm = r.mismatch;
    const before = !mm ? [] : mm.type === 'mismatches' ? (mm.mismatches ?? []) : [{ mismatch: mm.message ?? '' }];
    const own = { type: 'ProducerError', mismatch: `the producer of "${r.description}" failed: ${error}` };
    r.mismatch = { type: 'mismatches', mismatches: [own, ...before] };
    r.result = 'Error';
  }
}

/**
 * Pact's core talks to pact-js's local proxy, so its request errors name the
 * proxy's address; name the provider's instead.
 */
function nameProviderInErrors(report: PactVerifierReport, url: string): void {
  const base = url.replace(/\/$/, '');
  for (const r of report.interactionResults ?? []) {
    const mm = r.mismatch;
    if (mm?.type !== 'mismatches' && typeof mm?.message === 'string') {
      mm.message = mm.message.replace(/\(http:\/\/127\.0\.0\.1:\d+/g, `(${base}`);
    }
  }
}

const STATE_PATH = '/_pactSetup';
const MESSAGE_PATH = '/_messages';

/**
 * The middleware pact-js's proxy runs before its own routes: state changes are
 * answered by msa-verify's dispatcher; requests to the provider get the
 * configured headers, then go through the module's filter.
 */
/** The user's request filter, after the token is set (a token that cannot be had answers 502 naming why). */
function withAuthorization(options: VerifyProviderOptions): RequestFilter | undefined {
  const { authorization, requestFilter } = options;
  if (!authorization) return requestFilter;
  return (req, res, next) => {
    authorization().then(
      (value) => {
        req.headers.authorization = value;
        if (requestFilter) requestFilter(req, res, next);
        else next();
      },
      (error: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`msa-verify could not get a token: ${isMsaVerifyError(error) ? error.message : 'unknown error'}`);
      },
    );
  };
}

function proxyFilter(
  states: StateDispatch,
  headers: Readonly<Record<string, string>>,
  filter: RequestFilter | undefined,
): RequestFilter {
  return (req, res, next) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && pathname === STATE_PATH) {
      void states.handle((req.body ?? {}) as StateChange).then(
        (values) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(values));
        },
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        },
      );
      return;
    }
    if (pathname === MESSAGE_PATH) {
      next();
      return;
    }
    for (const [name, value] of Object.entries(headers)) req.headers[name.toLowerCase()] = value;
    if (filter) filter(req, res, next);
    else next();
  };
}

/** The error as an exit-3 MsaVerifyError when it says something was unreachable; else undefined. */
function asEnvironmentError(error: unknown, description: string): MsaVerifyError | undefined {
  if (isMsaVerifyError(error)) return error.exitCode === ExitCode.EnvironmentUnavailable ? error : undefined;
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return new MsaVerifyError(
      'MSAV_TARGET_UNREACHABLE',
      `producing "${description}": ${code} (${(error as Error).message})`,
      { cause: error },
    );
  }
  return undefined;
}
