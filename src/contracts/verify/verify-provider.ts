import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { isMsaVerifyError, MsaVerifyError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ContractPairResult } from '../../core/results.js';
import type { MessageProducer, StateHandlers } from '../types.js';
import { type PactVerifierReport, toPairResults } from './results.js';

/** Where the pacts come from when a Pact Broker is used. */
export interface BrokerSource {
  readonly url: string;
  /** Bearer token; never logged or returned. */
  readonly token?: string;
  readonly consumerVersionSelectors?: readonly Record<string, unknown>[];
  /** Default true. */
  readonly enablePending?: boolean;
  /** `YYYY-MM-DD`: include WIP pacts since then. */
  readonly includeWipPactsSince?: string;
  /** Publish verification results. Default false. */
  readonly publishResults?: boolean;
}

/** Options for {@link verifyProvider}. */
export interface VerifyProviderOptions {
  /** Provider name as written in the pacts. */
  readonly provider: string;
  /** Base URL of the HTTP provider (needed when any pact has HTTP interactions). */
  readonly url?: string;
  /** Local pact files. Ignored when `broker` is given. */
  readonly pactFiles?: readonly string[];
  readonly broker?: BrokerSource;
  /** State handlers in code. */
  readonly stateHandlers?: StateHandlers;
  /** State-change URL instead of handlers in code (receives `{state, params, action}`). */
  readonly stateChangeUrl?: string;
  /** Producers of this provider's messages, keyed by message description. */
  readonly messages?: Readonly<Record<string, MessageProducer>>;
  /** Result kind of each consumer's pair. Default: `message` when `messages` is set and no `url`, else `http`. */
  readonly kindOf?: (consumer: string) => ContractPairResult['kind'];
  /** Version reported with published results. Default `0.0.0-local`. */
  readonly providerVersion?: string;
  readonly providerBranch?: string;
  /** Timeout of one request to the provider in milliseconds. Default 10000. */
  readonly timeoutMs?: number;
}

/**
 * Verifies one provider against its pacts with pact-js's Verifier and returns
 * one result per consumer. Mismatches are data (`passed: false`); a throw
 * means the verification could not run.
 *
 * Note: Pact's core prints its own report to stdout; the CLI runs this in a
 * child process to keep its console and `--json` output clean.
 */
export async function verifyProvider(options: VerifyProviderOptions): Promise<ContractPairResult[]> {
  // A producer that cannot reach what it needs (RabbitMQ, the provider) makes
  // the run "could not run" (exit 3), not a broken contract.
  let environmentError: MsaVerifyError | undefined;
  const messageProviders = Object.fromEntries(
    Object.entries(options.messages ?? {}).map(([description, produce]) => [
      description,
      async (descriptor: { providerStates?: { name: string; params?: Record<string, unknown> }[] }) => {
        const states = (descriptor.providerStates ?? []).map((s) => ({ name: s.name, params: s.params ?? {} }));
        try {
          const produced = await produce(states);
          return { __pactMessageMetadata: { ...produced.metadata }, message: produced.content };
        } catch (error) {
          environmentError ??= asEnvironmentError(error, description);
          throw error;
        }
      },
    ]),
  );
  const config: Record<string, unknown> = {
    provider: options.provider,
    logLevel: 'error',
    timeout: options.timeoutMs ?? 10_000,
    providerVersion: options.providerVersion ?? '0.0.0-local',
    stateHandlers: options.stateHandlers,
  };
  if (Object.keys(messageProviders).length > 0) config.messageProviders = messageProviders;
  if (options.url) config.providerBaseUrl = options.url;
  if (options.providerBranch) config.providerVersionBranch = options.providerBranch;
  if (options.stateChangeUrl) config.providerStatesSetupUrl = options.stateChangeUrl;
  if (options.broker) {
    const b = options.broker;
    config.pactBrokerUrl = b.url;
    if (b.token) config.pactBrokerToken = b.token;
    if (b.consumerVersionSelectors) config.consumerVersionSelectors = b.consumerVersionSelectors;
    config.enablePending = b.enablePending ?? true;
    if (b.includeWipPactsSince) config.includeWipPactsSince = b.includeWipPactsSince;
    config.publishVerificationResult = b.publishResults ?? false;
  } else {
    config.pactUrls = [...(options.pactFiles ?? [])];
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
    const clean = options.broker?.token ? raw.split(options.broker.token).join('***') : raw;
    const code = options.broker ? 'MSAV_BROKER_UNAVAILABLE' : 'MSAV_TARGET_UNREACHABLE';
    throw new MsaVerifyError(code, `verification of ${options.provider} could not run: ${clean.slice(0, 500)}`, {
      cause,
    });
  }
  return toPairResults(report, options.provider, kindOf, wallMs);
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
