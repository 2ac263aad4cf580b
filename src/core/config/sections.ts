import { z } from 'zod';
import { DURATION_PATTERN } from '../duration.js';
import { durationField, httpUrlField, nameField } from './fields.js';
import { AuthSchema, TlsSchema } from './security.js';

// The contracts, broker and chaos sections of the config, one place per domain.

/**
 * A header added to every request sent to the provider: a fixed value, or a
 * value read from an environment variable (a secret: never printed, and
 * removed from every output).
 */
export const RequestHeaderSchema = z.union([
  z.string(),
  z.strictObject({
    /** Environment variable holding the value (e.g. a token). */
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }),
    /** Text put before the value, e.g. `Bearer `. Default none. */
    prefix: z.string().default(''),
  }),
]);

const SHARDS_ERROR = { error: 'expected auto or a whole number of workers from 1 to 64' };

/** How a provider under verification is reached or started. */
export const ProviderSchema = z.strictObject({
  /** Service (from `services`) that is the provider; its URL is used. */
  service: nameField.optional(),
  /** URL of the provider when it is not one of `services`. */
  url: httpUrlField.optional(),
  /** Command that starts the provider (run with a shell in the config's folder); needs `url`. */
  command: z.string().min(1).optional(),
  /** Extra environment for `command`. */
  env: z.record(z.string(), z.string()).default({}),
  /**
   * Path polled until it answers 2xx after `command` started. Default none:
   * the provider is ready when its `url`'s port accepts a TCP connection.
   */
  healthPath: z.string().startsWith('/').optional(),
  /** How long `command` may take to become ready. Default `30s`. */
  startTimeout: durationField.default('30s'),
  /** URL that receives provider-state changes (`{state, params, action}`) instead of state handlers in `module`. */
  stateChangeUrl: httpUrlField.optional(),
  /**
   * Module (path relative to the config) exporting `stateHandlers` and/or
   * `messages` (producers keyed by message description), optionally
   * `setup`/`teardown`, `beforeEach`/`afterEach` and `requestFilter`.
   */
  module: z.string().min(1).optional(),
  /**
   * `rabbitmq` or `kafka` (or a list of both) when the module's producers
   * capture messages from a real broker (reported as kind `transport`).
   */
  transport: z
    .union([z.enum(['code', 'rabbitmq', 'kafka']), z.array(z.enum(['rabbitmq', 'kafka'])).min(1)])
    .default('code'),
  /**
   * Provider states that need no set-up. Any other state without a handler
   * fails its interactions. Default none.
   */
  statesWithoutSetup: z.array(z.string().min(1)).default([]),
  /**
   * The module's state handlers change something the `command`-started
   * provider reads (a shared database, files, an admin API). Without it,
   * `command` with state handlers is refused: handlers run in msa-verify's
   * process and cannot change the provider's memory. Default false.
   */
  stateHandlersReachCommand: z.boolean().default(false),
  /** Headers added to every request to the provider, by header name. */
  requestHeaders: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), RequestHeaderSchema).default({}),
  /**
   * Pact files (relative to the config) and pact URLs to verify, instead of
   * this provider's pacts in `pactDir` or from the broker.
   */
  pactUrls: z.array(z.string().min(1)).min(1).optional(),
  /** The provider may have no pact to verify (e.g. a new provider). Default false: no pact fails the run. */
  allowNoPacts: z.boolean().default(false),
  /** Timeout of one request to this provider. Default `contracts.requestTimeout`. */
  requestTimeout: durationField.optional(),
  /** Accept any TLS certificate from the provider and the broker (self-signed staging). Default false. */
  disableSslVerification: z.boolean().default(false),
  /** TLS towards this provider; default its service's, then the top-level `tls`. */
  tls: TlsSchema.optional(),
  /** Credentials sent to this provider; default its service's, then the top-level `auth`. */
  auth: AuthSchema.optional(),
  /**
   * Verify this provider's local HTTP pacts in shards: `auto` (a worker
   * process per 250 interactions, up to the cores; a pact under 100
   * interactions stays in one verifier) or a number of workers.
   * Shards run side by side, each with its own state handlers: shared state
   * must be set up additively (see docs/contracts-shards.md). Default 1 (no shards).
   */
  shards: z
    .union([z.literal('auto'), z.number().int(SHARDS_ERROR).min(1, SHARDS_ERROR).max(64, SHARDS_ERROR)], SHARDS_ERROR)
    .default(1),
  /**
   * A gRPC provider: its `<consumer>-<provider>.grpc.json` contracts in `pactDir`
   * are verified by calling it at `address` (plaintext), with its `.proto` (or, without
   * `proto`, what it serves through reflection) for the wire check (`buf breaking`
   * against each consumer's copy) and for decoding.
   */
  grpc: z
    .strictObject({
      /** host:port of the running provider, e.g. `127.0.0.1:8084`. */
      address: z.string().regex(/^[\w.-]+:\d{1,5}$/, { message: 'expected host:port, e.g. 127.0.0.1:8084' }),
      /**
       * The provider's .proto declaring the services, relative to the config.
       * Default: none; the provider's descriptors are read through server reflection.
       */
      proto: z.string().min(1).optional(),
      /** Include path of the provider's .proto files (compared by `buf breaking`). Default: the folder of `proto`. */
      protoRoot: z.string().min(1).optional(),
    })
    .optional(),
});

export const ContractsSchema = z.strictObject({
  /** Folder where consumer tests write pact files. Default `contracts/pacts`. */
  pactDir: z.string().default('contracts/pacts'),
  /** Glob of consumer test files run by `contracts test`. */
  consumerTests: z.string().default('contracts/**/*.pact.test.ts'),
  /** Providers to verify, keyed by the provider name used in pacts. */
  providers: z.record(z.string(), ProviderSchema).default({}),
  /**
   * Version of the provider reported with published verification results.
   * Default: `--provider-version`, else the git commit of the config's folder;
   * publishing without any of them is an error.
   */
  providerVersion: z.string().min(1).optional(),
  /** Tags of the provider version, applied when verification results are published. */
  providerVersionTags: z.array(z.string().min(1)).default([]),
  /** Branch of the provider reported with verification results. */
  providerBranch: z.string().min(1).optional(),
  /** Version of the consumers recorded when publishing pacts. */
  consumerVersion: z.string().min(1).optional(),
  /** Branch of the consumers recorded when publishing pacts. */
  consumerBranch: z.string().min(1).optional(),
  /** Timeout of one provider request during verification. Default `10s`. */
  requestTimeout: durationField.default('10s'),
  /**
   * Bound of a whole `contracts verify` run. `auto` (default): 10 minutes
   * plus 1 second per interaction to verify, so a large pact is never cut
   * short by a fixed cap; or a duration such as `30m`.
   */
  verifyTimeout: z
    .string()
    .regex(new RegExp(`^(auto|${DURATION_PATTERN.replace(/^\^|\$$/g, '')})$`), {
      message: 'expected auto or a duration such as 30m or 2h',
    })
    .refine((v) => v === 'auto' || !/^0+(\.0+)?(ms|s|m|h)$/.test(v), { message: 'must be longer than 0' })
    .default('auto'),
});

/** One consumer version selector, as the Pact Broker API defines it. */
export const ConsumerVersionSelectorSchema = z.strictObject({
  mainBranch: z.boolean().optional(),
  matchingBranch: z.boolean().optional(),
  branch: z.string().optional(),
  fallbackBranch: z.string().optional(),
  deployedOrReleased: z.boolean().optional(),
  deployed: z.boolean().optional(),
  released: z.boolean().optional(),
  environment: z.string().optional(),
  consumer: z.string().optional(),
  tag: z.string().optional(),
  latest: z.boolean().optional(),
});

export const BrokerSchema = z.strictObject({
  url: httpUrlField,
  /** Environment variable holding the broker token. The token itself never goes in this file. */
  tokenEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .default('PACT_BROKER_TOKEN'),
  /** User name for a broker with basic authentication. */
  username: z.string().min(1).optional(),
  /** Environment variable holding the basic-authentication password. Default `PACT_BROKER_PASSWORD`. */
  passwordEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .default('PACT_BROKER_PASSWORD'),
  /** Consumer version selectors, as the broker API defines them. */
  consumerVersionSelectors: z.array(ConsumerVersionSelectorSchema).optional(),
  enablePending: z.boolean().default(true),
  /** Include work-in-progress pacts created since this date (`YYYY-MM-DD`). */
  includeWipPactsSince: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/, { message: 'expected a date such as 2026-01-31' })
    .optional(),
  publishVerificationResults: z.boolean().default(false),
  /** Retries of each broker request by Pact's CLI. Default 1. */
  retries: z.number().int().min(0).max(10).default(1),
  /** Environment asked about by `contracts can-i-deploy`. Default `production`. */
  environment: z.string().min(1).default('production'),
});

export const ChaosSchema = z.strictObject({
  /** Scenario files (globs allowed). */
  scenarios: z.array(z.string()).default(['chaos/*.yaml']),
  /** host:port patterns (`*` wildcard) that chaos may put faults in front of or send load to. */
  allowTargets: z.array(z.string()).default(['127.0.0.1:*', 'localhost:*']),
  /** Hard cap on the total duration of one scenario. */
  maxDuration: durationField.default('10m'),
  /** Folder of run journals (what each run changed in Toxiproxy, for rollback and `chaos reset`). */
  journalDir: z.string().default('.msa-verify/chaos'),
});
