import { z } from 'zod';
import { orDiscovery } from '../discovery/schema.js';
import { amqpUrlField, httpUrlField, nameField } from './fields.js';
import { BrokerSchema, ChaosSchema, ContractsSchema } from './sections.js';
import { AuthSchema, TlsSchema } from './security.js';

/** One service of the system under test. */
export const ServiceSchema = z.strictObject({
  /**
   * Base URL the service answers on, or `{ discovery: { etcd: { url }, key } }`:
   * the instance registered there, read when a command needs the service.
   */
  url: orDiscovery(httpUrlField, 'an http(s) URL'),
  /** Path of a health endpoint that answers 2xx when ready. Default `/health`. */
  health: z.string().startsWith('/').default('/health'),
  /** TLS towards this service (CA, client certificate); default the top-level `tls`. */
  tls: TlsSchema.optional(),
  /** Credentials sent to this service; default the top-level `auth`. */
  auth: AuthSchema.optional(),
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
  /** Jaeger's query API (the UI's base URL), e.g. `http://127.0.0.1:16686`; trace checks and links read it. */
  jaeger: z.strictObject({ url: httpUrlField }).optional(),
  broker: BrokerSchema.optional(),
  contracts: ContractsSchema.optional(),
  chaos: ChaosSchema.optional(),
  /** TLS towards every https: service without its own `tls` (CA, client certificate for mTLS). */
  tls: TlsSchema.optional(),
  /** Credentials sent to every service without its own `auth` (bearer token or OAuth2 client credentials). */
  auth: AuthSchema.optional(),
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
