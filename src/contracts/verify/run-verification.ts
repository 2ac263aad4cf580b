import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../../core/config/schema.js';
import { serviceUrl } from '../../core/discovery/service-url.js';
import { parseDuration } from '../../core/duration.js';
import { type ErrorCode, MsaVerifyError } from '../../core/errors.js';
import { describeNetError } from '../../core/probe.js';
import type { ContractPairResult, ContractsRunResult, ProviderWithoutPacts } from '../../core/results.js';
import { type ClientTls, securityFor, sendRequest } from '../../core/security/index.js';
import { parseYamlSource } from '../../core/yaml-source.js';
import { type GrpcContractInfo, readGrpcContracts } from '../grpc/contract-file.js';
import { checkProvidersKnown, displayPath, type PactFileInfo, pactFilesIn, readPactFile } from '../pact-files.js';
import { coreNeedsNoTrustStore, emptyCoreTrustStore } from './core-trust-store.js';
import { readPactSources } from './pact-sources.js';
import { loadProviderModule } from './provider-module.js';
import { resolveRequestHeaders } from './request-headers.js';
import { inTurns, shardLayout, verifyInShards } from './shards.js';
import { type StartedProvider, startProviderCommand } from './start-command.js';
import { type BrokerSource, type PactLogLevel, verifyProvider } from './verify-provider.js';

// Flow: config -> pact sources (pactUrls, else the local folder, else the
// broker) -> per provider: load module (state handlers, hooks, producers,
// setup) -> refuse set-ups that would pass silently -> start command or
// resolve URL -> probe (unreachable = exit 3) -> pact-js Verifier -> pair
// results. A provider with no pact fails the run unless `allowNoPacts`.

/** Options for {@link runVerification}. */
export interface RunVerificationOptions {
  readonly config: Config;
  /** Folder relative paths in the config resolve against. */
  readonly baseDir: string;
  /** The config file (absolute), for the line and column of config problems. */
  readonly configFile?: string;
  /** Only this provider: other providers' pacts in the folder are ignored. */
  readonly provider?: string;
  /** Environment the broker token, password and request headers are read from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Provider version for published results. Default `contracts.providerVersion`, else the git commit. */
  readonly providerVersion?: string;
  /** Pact's own log level. Default `error`. */
  readonly logLevel?: PactLogLevel;
  /** Called with the number of interactions about to be verified, once per provider with local pacts. */
  readonly onPlanned?: (interactions: number) => void;
  /**
   * This process verifies and nothing else: it may point Pact's core at an
   * empty trust store (process-wide variables) where the core talks only to
   * the local proxy (see core-trust-store.ts). Default false.
   */
  readonly ownProcess?: boolean;
}

const run = promisify(execFile);

const shown = (p: string): string => displayPath(p, process.cwd());

/** The commit checked out in `dir`, or undefined outside a git repository. */
async function gitCommit(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 5000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Makes config errors that point at the field's line in the config file. */
async function configErrors(configFile: string | undefined) {
  const display = configFile ? displayPath(configFile, process.cwd()) : 'msa-verify.config.yaml';
  const text = configFile ? await readFile(configFile, 'utf8').catch(() => '') : '';
  const source = parseYamlSource(display, text);
  return (field: string, message: string, code: ErrorCode = 'MSAV_CONFIG_INVALID'): MsaVerifyError => {
    const at = source.locate(field.split('.'));
    return new MsaVerifyError(code, `${display}:${at.line}:${at.column}: ${field}: ${message}`, {
      problems: [{ file: display, ...at, path: field, message }],
    });
  };
}

/** Any HTTP answer at all, accepting any certificate (for `disableSslVerification`). */
function answersInsecurely(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
      res.resume();
      resolve();
    });
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject);
  });
}

async function assertReachable(provider: string, url: string, insecure: boolean, tls?: ClientTls): Promise<void> {
  try {
    if (insecure && url.startsWith('https:')) {
      await answersInsecurely(url);
      return;
    }
    if (tls && url.startsWith('https:')) {
      await sendRequest(url, { tls, timeoutMs: 3000 });
      return;
    }
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
  } catch (error) {
    throw new MsaVerifyError(
      'MSAV_TARGET_UNREACHABLE',
      `provider ${provider} is unreachable at ${url}: ${describeNetError(error)}`,
      { cause: error },
    );
  }
}

/** Sets environment variables of this process; returns what puts them back. */
function setEnv(vars: Readonly<Record<string, string>>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Calls a provider module's setup() or teardown(); a throw becomes exit 3 naming the module and function. */
async function moduleCall<T>(field: string, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${field}: ${name}() failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * Verifies every configured provider (or one) against its pacts and returns
 * the run's result. Failed contracts, and providers with no pact, are data.
 * @throws MsaVerifyError exit 2 for bad config/pacts/unknown provider or a
 *   missing pact folder, 3 for an unreachable provider or broker.
 */
export async function runVerification(options: RunVerificationOptions): Promise<ContractsRunResult> {
  const { config, baseDir } = options;
  const env = options.env ?? process.env;
  const configError = await configErrors(options.configFile);
  const contracts = config.contracts;
  if (!contracts) throw configError('contracts', 'the config has no contracts section');
  const names = Object.keys(contracts.providers);
  if (options.provider !== undefined && !names.includes(options.provider)) {
    throw new MsaVerifyError(
      'MSAV_UNKNOWN_PROVIDER',
      `unknown provider "${options.provider}" (contracts.providers has: ${names.join(', ') || 'none'})`,
    );
  }
  const selected = names.filter((n) => options.provider === undefined || n === options.provider);
  const startedAt = Date.now();
  const broker = config.broker;
  let pacts: PactFileInfo[] = [];
  if (!broker && selected.some((n) => !contracts.providers[n]?.pactUrls)) {
    const dir = path.resolve(baseDir, contracts.pactDir);
    const files = await pactFilesIn(dir);
    if (!files) {
      throw configError(
        'contracts.pactDir',
        `folder ${shown(dir)} does not exist (write pacts there with "msa-verify contracts test", or fix the path)`,
      );
    }
    for (const f of files) pacts.push(await readPactFile(f, process.cwd()));
    // With --provider, the other providers' pacts are none of this run's business.
    if (options.provider === undefined) checkProvidersKnown(pacts, names, process.cwd());
    else pacts = pacts.filter((p) => p.provider === options.provider);
  }
  let providerVersion = options.providerVersion ?? contracts.providerVersion;
  if (broker?.publishVerificationResults && !providerVersion) {
    providerVersion = await gitCommit(baseDir);
    if (!providerVersion) {
      throw configError(
        'contracts.providerVersion',
        'publishing verification results (broker.publishVerificationResults) needs a provider version: set contracts.providerVersion, pass --provider-version, or run inside a git repository (its commit is used)',
      );
    }
  }
  const password = broker?.username ? env[broker.passwordEnv] || undefined : undefined;
  if (broker?.username && !password) {
    throw configError('broker.username', `the password variable ${broker.passwordEnv} is not set`);
  }
  const token = broker ? env[broker.tokenEnv] || undefined : undefined;
  const brokerSource: BrokerSource | undefined = broker
    ? {
        url: broker.url,
        token,
        ...(broker.username ? { username: broker.username, password } : {}),
        consumerVersionSelectors: broker.consumerVersionSelectors,
        enablePending: broker.enablePending,
        includeWipPactsSince: broker.includeWipPactsSince,
        publishResults: broker.publishVerificationResults,
      }
    : undefined;
  const brokerHeaders: Record<string, string> = token
    ? { authorization: `Bearer ${token}` }
    : broker?.username
      ? { authorization: `Basic ${Buffer.from(`${broker.username}:${password}`).toString('base64')}` }
      : {};
  // gRPC contracts live next to the pacts (`*.grpc.json`), verified by msa-verify itself (grpc/verify.ts).
  const grpcContracts: GrpcContractInfo[] = await readGrpcContracts(path.resolve(baseDir, contracts.pactDir));
  for (const g of grpcContracts) {
    const providerName = g.contract.provider.name;
    if (options.provider === undefined && !names.includes(providerName)) {
      throw new MsaVerifyError(
        'MSAV_UNKNOWN_PROVIDER',
        `${shown(g.file)}: provider.name "${providerName}" is not in contracts.providers (${names.join(', ') || 'none'})`,
      );
    }
  }
  const pairs: ContractPairResult[] = [];
  const withoutPacts: ProviderWithoutPacts[] = [];
  for (const name of selected) {
    const spec = contracts.providers[name];
    if (!spec) continue;
    const field = `contracts.providers.${name}`;
    const timeoutMs = parseDuration(spec.requestTimeout ?? contracts.requestTimeout);
    const own: PactFileInfo[] | undefined = spec.pactUrls
      ? await readPactSources(spec.pactUrls, {
          provider: name,
          baseDir,
          brokerUrl: broker?.url,
          brokerHeaders,
          timeoutMs,
        })
      : broker
        ? undefined
        : pacts.filter((p) => p.provider === name);
    const grpcOwn = grpcContracts.filter((g) => g.contract.provider.name === name);
    if (grpcOwn.length > 0 && !spec.grpc) {
      throw configError(
        field,
        `${grpcOwn.map((g) => shown(g.file)).join(', ')} hold gRPC contracts for ${name}: add grpc: { address } (and proto, unless it serves reflection)`,
      );
    }
    if (own?.length === 0 && grpcOwn.length === 0) {
      withoutPacts.push({ provider: name, allowed: spec.allowNoPacts });
      continue;
    }
    const requestHeaders = resolveRequestHeaders(spec.requestHeaders, env, (header, message) =>
      configError(`${field}.requestHeaders.${header}`, message),
    );
    const mod = spec.module ? await loadProviderModule(spec.module, baseDir, `${field}.module`) : {};
    if (spec.grpc && grpcOwn.length > 0) {
      const { verifyGrpcProvider } = await import('../grpc/verify.js');
      const proto = spec.grpc.proto;
      const protoRoot = proto ? path.resolve(baseDir, spec.grpc.protoRoot ?? path.dirname(proto)) : undefined;
      pairs.push(
        ...(await verifyGrpcProvider({
          provider: name,
          address: spec.grpc.address,
          ...(proto && protoRoot ? { proto: path.relative(protoRoot, path.resolve(baseDir, proto)), protoRoot } : {}),
          contracts: grpcOwn,
          stateHandlers: mod.stateHandlers,
          statesWithoutSetup: spec.statesWithoutSetup,
          timeoutMs,
        })),
      );
      if (own?.length === 0) continue;
    }
    const handlerCount = Object.keys(mod.stateHandlers ?? {}).length;
    if (spec.stateChangeUrl && handlerCount > 0) {
      throw configError(
        `${field}.stateChangeUrl`,
        `both stateChangeUrl and the stateHandlers of ${spec.module} are set; state changes go to one place: keep one`,
      );
    }
    if (spec.command && handlerCount > 0 && !spec.stateHandlersReachCommand) {
      throw configError(
        `${field}.command`,
        `the state handlers of ${spec.module} run in msa-verify's process and cannot change the memory of the provider started by command. Either start the provider in the module's setup() (then the handlers share its memory), or let the provider serve its own states and set stateChangeUrl; set stateHandlersReachCommand: true if the handlers change a store the provider reads (a database, files)`,
      );
    }
    let started: StartedProvider | undefined;
    try {
      const fromSetup = mod.setup ? await moduleCall(`${field}.module`, 'setup', mod.setup) : undefined;
      let url = spec.url ?? (spec.service ? await serviceUrl(config, spec.service) : undefined) ?? fromSetup?.url;
      if (spec.service && !config.services[spec.service]) {
        throw configError(`${field}.service`, `service "${spec.service}" is not in services`);
      }
      const needsUrl = own ? own.some((p) => p.kind !== 'message') : !mod.messages;
      if (needsUrl && !url) throw configError(field, 'needs url, service, or a module whose setup() returns a url');
      if (spec.command) {
        if (!url) throw configError(`${field}.command`, 'command needs url (where the started provider listens)');
        const u = new URL(url);
        started = await startProviderCommand({
          command: spec.command,
          cwd: baseDir,
          env: spec.env,
          ready: spec.healthPath
            ? { http: new URL(spec.healthPath, url).href }
            : {
                tcp: {
                  host: u.hostname.replace(/^\[|\]$/g, ''),
                  port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
                },
              },
          timeoutMs: parseDuration(spec.startTimeout),
        });
      }
      // TLS and credentials: the provider's own tls/auth, else its service's, else the top level's.
      const security = url
        ? securityFor(config, baseDir, url, { override: { tls: spec.tls, auth: spec.auth, where: field }, env })
        : undefined;
      if (needsUrl && url) await assertReachable(name, url, spec.disableSslVerification, security?.tls);
      // The first token before the first interaction: an unusable credential stops here (exit 3).
      if (security?.auth) await security.auth.authorization();
      // Message producers get the configured URL (and the security above) even when Pact calls no HTTP.
      const providerUrl = url;
      if (!needsUrl) url = undefined;
      const kinds = new Map((own ?? []).map((p) => [p.consumer, p.kind] as const));
      const kindOf = (consumer: string): ContractPairResult['kind'] => {
        const kind = kinds.get(consumer) ?? (mod.messages && !url ? 'message' : 'http');
        if (kind === 'message') return spec.transport === 'code' ? 'message' : 'transport';
        return 'http';
      };
      const interactions = (own ?? []).reduce((n, p) => n + p.interactions, 0);
      if (own) options.onPlanned?.(interactions);
      const trust =
        options.ownProcess &&
        coreNeedsNoTrustStore({
          broker: !own,
          pactSources: own?.map((p) => p.file) ?? [],
          url,
          stateChangeUrl: spec.stateChangeUrl,
        })
          ? await emptyCoreTrustStore()
          : undefined;
      // Shards: local HTTP pacts only (message producers and broker pacts stay in one verifier),
      // to a provider without tls/auth (the client certificate and tokens stay in this process).
      const shardable =
        security?.tls === undefined &&
        security?.auth === undefined &&
        own?.every((p) => p.kind === 'http' && path.isAbsolute(p.file));
      const layout = shardable ? shardLayout(spec.shards, interactions, os.availableParallelism()) : undefined;
      if (layout && mod.setup && (handlerCount > 0 || mod.beforeEach || mod.afterEach)) {
        throw configError(
          `${field}.shards`,
          `with shards, the state handlers and beforeEach/afterEach of ${spec.module} run in each shard's own process and cannot change the memory of a provider started by its setup(); use shards: 1, or start the provider outside msa-verify (url or command) so that its state is shared through a store or stateChangeUrl`,
        );
      }
      const verifyHere = (pactFiles: string[]) =>
        verifyProvider({
          provider: name,
          url,
          pactFiles,
          stateHandlers: mod.stateHandlers,
          stateChangeUrl: spec.stateChangeUrl,
          statesWithoutSetup: spec.statesWithoutSetup,
          beforeEach: mod.beforeEach,
          afterEach: mod.afterEach,
          requestHeaders,
          requestFilter: mod.requestFilter,
          timeoutMs,
          disableSslVerification: spec.disableSslVerification,
          logLevel: options.logLevel,
          kindOf,
        });
      if (layout && own) {
        // Set for the whole run: the chunks verified here overlap.
        const restoreEnv = trust ? setEnv(trust) : undefined;
        const results = await verifyInShards({
          // Only a process that verifies and nothing else lends itself as a worker (it sets process-wide variables).
          ...(options.ownProcess
            ? {
                local: (chunks: readonly string[]) => inTurns(chunks, (chunk) => verifyHere([chunk])),
              }
            : {}),
          pacts: own,
          layout,
          provider: name,
          url,
          ...(spec.module ? { module: path.resolve(baseDir, spec.module) } : {}),
          moduleField: `${field}.module`,
          stateChangeUrl: spec.stateChangeUrl,
          statesWithoutSetup: spec.statesWithoutSetup,
          requestHeaders,
          timeoutMs,
          disableSslVerification: spec.disableSslVerification,
          logLevel: options.logLevel,
          kinds: Object.fromEntries(own.map((p) => [p.consumer, kindOf(p.consumer)])),
          env: { ...process.env, ...trust },
        }).finally(() => restoreEnv?.());
        pairs.push(...results);
        continue;
      }
      const restore = trust ? setEnv(trust) : undefined;
      const results = await verifyProvider({
        provider: name,
        url,
        ...(own ? { pactFiles: own.map((p) => p.file) } : {}),
        broker: brokerSource,
        stateHandlers: mod.stateHandlers,
        stateChangeUrl: spec.stateChangeUrl,
        statesWithoutSetup: spec.statesWithoutSetup,
        beforeEach: mod.beforeEach,
        afterEach: mod.afterEach,
        requestHeaders,
        requestFilter: mod.requestFilter,
        messages: mod.messages,
        providerVersion,
        providerBranch: contracts.providerBranch,
        providerVersionTags: contracts.providerVersionTags,
        timeoutMs,
        disableSslVerification: spec.disableSslVerification,
        logLevel: options.logLevel,
        ...(security?.tls ? { tls: security.tls } : {}),
        ...(security?.auth ? { authorization: security.auth.authorization } : {}),
        ...(providerUrl ? { providerUrl } : {}),
        kindOf,
      }).finally(() => restore?.());
      if (results.length === 0) withoutPacts.push({ provider: name, allowed: spec.allowNoPacts });
      pairs.push(...results);
    } finally {
      await started?.stop();
      if (mod.teardown) await moduleCall(`${field}.module`, 'teardown', mod.teardown);
    }
  }
  const endedAt = Date.now();
  return {
    kind: 'contracts',
    runId: randomUUID(),
    startedAt,
    endedAt,
    passed: pairs.every((p) => p.passed) && withoutPacts.every((w) => w.allowed),
    pairs,
    ...(withoutPacts.length > 0 ? { withoutPacts } : {}),
  };
}
