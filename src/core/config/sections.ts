import { z } from 'zod';
import { durationField, httpUrlField, nameField } from './fields.js';

// The contracts, broker and chaos sections of the config, one place per domain.

/** A provider that contract verification runs against. */
export const ProviderSchema = z.strictObject({
  /** Service (from `services`) that is the provider; its URL is used. */
  service: nameField.optional(),
  /** URL of the provider when it is not one of `services`. */
  url: httpUrlField.optional(),
  /** URL that receives provider-state changes (Pact's state-change URL). */
  stateChangeUrl: httpUrlField.optional(),
  /** Module whose exports produce this provider's messages (message pacts). */
  messages: z.string().optional(),
});

export const ContractsSchema = z.strictObject({
  /** Folder where consumer tests write pact files. Default `contracts/pacts`. */
  pactDir: z.string().default('contracts/pacts'),
  /** Glob of consumer test files run by `contracts test`. */
  consumerTests: z.string().default('contracts/**/*.pact.test.ts'),
  /** Providers to verify, keyed by the provider name used in pacts. */
  providers: z.record(z.string(), ProviderSchema).default({}),
});

export const BrokerSchema = z.strictObject({
  url: httpUrlField,
  /** Environment variable holding the broker token. The token itself never goes in this file. */
  tokenEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .default('PACT_BROKER_TOKEN'),
  /** Consumer version selectors, as the broker API defines them. */
  consumerVersionSelectors: z.array(z.record(z.string(), z.unknown())).optional(),
  enablePending: z.boolean().default(true),
  includeWipPactsSince: z.string().optional(),
  publishVerificationResults: z.boolean().default(false),
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
