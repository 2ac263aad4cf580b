import { z } from 'zod';
import { amqpUrlField, durationField, httpUrlField, nameField } from './fields.js';

/** One service of the system under test. */
export const ServiceSchema = z.strictObject({
  /** Base URL the service answers on. */
  url: httpUrlField,
  /** Path of a health endpoint that answers 2xx when ready. Default `/health`. */
  health: z.string().startsWith('/').default('/health'),
});

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
});

export const ConfigSchema = z.strictObject({
  /** Editor hint; ignored. */
  $schema: z.string().optional(),
  /** Version of this file's format. Only 1 exists. */
  version: z.literal(1),
  /** Name of the system, used in reports and metric labels. */
  system: nameField.optional(),
  services: z.record(nameField, ServiceSchema).default({}),
  rabbitmq: z.strictObject({ url: amqpUrlField }).optional(),
  toxiproxy: z.strictObject({ url: httpUrlField }).optional(),
  prometheus: z.strictObject({ url: httpUrlField }).optional(),
  pushgateway: z.strictObject({ url: httpUrlField, job: nameField.default('msa-verify') }).optional(),
  broker: BrokerSchema.optional(),
  contracts: ContractsSchema.optional(),
  chaos: ChaosSchema.optional(),
  /** Folder for JSON, JUnit and HTML reports. Default `reports`. */
  reportsDir: z.string().default('reports'),
});

/** The validated configuration, with defaults filled in. */
export type Config = z.output<typeof ConfigSchema>;
/** The configuration as written in the file. */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** JSON Schema of the config file, for editors. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://msa-verify.dev/schema/msa-verify.config.schema.json',
    title: 'msa-verify configuration',
  };
}
