import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../../core/config/schema.js';
import { parseDuration } from '../../core/duration.js';
import { MsaVerifyError } from '../../core/errors.js';
import { describeNetError } from '../../core/probe.js';
import type { ContractPairResult, ContractsRunResult } from '../../core/results.js';
import { checkProvidersKnown, type PactFileInfo, readPactDir } from '../pact-files.js';
import { loadProviderModule } from './provider-module.js';
import { type StartedProvider, startProviderCommand } from './start-command.js';
import { type BrokerSource, verifyProvider } from './verify-provider.js';

// Flow: config -> pact files (local folder, or broker) -> per provider:
//   load module (state handlers, message producers, setup) -> start command or
//   resolve URL -> probe (unreachable = exit 3) -> pact-js Verifier -> pair results.

/** Options for {@link runVerification}. */
export interface RunVerificationOptions {
  readonly config: Config;
  /** Folder relative paths in the config resolve against. */
  readonly baseDir: string;
  /** Only this provider. */
  readonly provider?: string;
  /** Environment the broker token is read from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

function configError(field: string, message: string): MsaVerifyError {
  return new MsaVerifyError('MSAV_CONFIG_INVALID', `${field}: ${message}`, {
    problems: [{ file: 'msa-verify.config.yaml', line: 1, column: 1, path: field, message }],
  });
}

async function assertReachable(provider: string, url: string): Promise<void> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) });
  } catch (error) {
    throw new MsaVerifyError(
      'MSAV_TARGET_UNREACHABLE',
      `provider ${provider} is unreachable at ${url}: ${describeNetError(error)}`,
      { cause: error },
    );
  }
}

/**
 * Verifies every configured provider (or one) against the local pacts or the
 * Pact Broker and returns the run's result. Failed contracts are data.
 * @throws MsaVerifyError exit 2 for bad config/pacts/unknown provider, 3 for an unreachable provider or broker.
 */
export async function runVerification(options: RunVerificationOptions): Promise<ContractsRunResult> {
  const { config, baseDir } = options;
  const contracts = config.contracts;
  if (!contracts) throw configError('contracts', 'the config has no contracts section');
  const names = Object.keys(contracts.providers);
  if (options.provider !== undefined && !names.includes(options.provider)) {
    throw new MsaVerifyError(
      'MSAV_UNKNOWN_PROVIDER',
      `unknown provider "${options.provider}" (contracts.providers has: ${names.join(', ') || 'none'})`,
    );
  }
  const startedAt = Date.now();
  const broker = config.broker;
  let pacts: PactFileInfo[] = [];
  if (!broker) {
    pacts = await readPactDir(path.resolve(baseDir, contracts.pactDir), process.cwd());
    checkProvidersKnown(pacts, names, process.cwd());
  }
  const brokerSource: BrokerSource | undefined = broker
    ? {
        url: broker.url,
        token: (options.env ?? process.env)[broker.tokenEnv] || undefined,
        consumerVersionSelectors: broker.consumerVersionSelectors,
        enablePending: broker.enablePending,
        includeWipPactsSince: broker.includeWipPactsSince,
        publishResults: broker.publishVerificationResults,
      }
    : undefined;
  const pairs: ContractPairResult[] = [];
  for (const name of names) {
    if (options.provider !== undefined && name !== options.provider) continue;
    const own = pacts.filter((p) => p.provider === name);
    if (!broker && own.length === 0) continue;
    const spec = contracts.providers[name];
    if (!spec) continue;
    const field = `contracts.providers.${name}`;
    const mod = spec.module ? await loadProviderModule(spec.module, baseDir, `${field}.module`) : {};
    let started: StartedProvider | undefined;
    try {
      const fromSetup = mod.setup ? await mod.setup() : undefined;
      let url = spec.url ?? (spec.service ? config.services[spec.service]?.url : undefined) ?? fromSetup?.url;
      if (spec.service && !config.services[spec.service]) {
        throw configError(`${field}.service`, `service "${spec.service}" is not in services`);
      }
      const needsUrl = broker ? !mod.messages : own.some((p) => p.kind !== 'message');
      if (needsUrl && !url) throw configError(field, 'needs url, service, or a module whose setup() returns a url');
      if (spec.command) {
        if (!url) throw configError(`${field}.command`, 'command needs url (where the started provider listens)');
        started = await startProviderCommand({
          command: spec.command,
          cwd: baseDir,
          env: spec.env,
          healthUrl: new URL(spec.healthPath, url).href,
          timeoutMs: parseDuration(spec.startTimeout),
        });
      }
      if (needsUrl && url) await assertReachable(name, url);
      if (!needsUrl) url = undefined;
      const kinds = new Map(own.map((p) => [p.consumer, p.kind] as const));
      const results = await verifyProvider({
        provider: name,
        url,
        pactFiles: own.map((p) => p.file),
        broker: brokerSource,
        stateHandlers: mod.stateHandlers,
        stateChangeUrl: spec.stateChangeUrl,
        messages: mod.messages,
        providerVersion: contracts.providerVersion,
        providerBranch: contracts.providerBranch,
        timeoutMs: parseDuration(contracts.requestTimeout),
        kindOf: (consumer) => {
          const kind = kinds.get(consumer) ?? (mod.messages && !url ? 'message' : 'http');
          if (kind === 'message') return spec.transport === 'rabbitmq' ? 'transport' : 'message';
          return 'http';
        },
      });
      pairs.push(...results);
    } finally {
      await started?.stop();
      await mod.teardown?.();
    }
  }
  const endedAt = Date.now();
  return {
    kind: 'contracts',
    runId: randomUUID(),
    startedAt,
    endedAt,
    passed: pairs.every((p) => p.passed),
    pairs,
  };
}
