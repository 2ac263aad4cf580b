// Consumer side of gRPC contracts: declare an interaction (method, request,
// response with Pact matchers, status, metadata incl. the correlation ID), run
// the consumer's real client against a mock provider (a real grpc-js server on
// 127.0.0.1 that serves the declared answer from the consumer's .proto), and
// on success merge the interaction into `<consumer>-<provider>.grpc.json`.
// The test fails when the consumer never called, called another method, or
// sent a request or metadata that does not match.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type CorrelationOption, correlationExample, correlationMatchers, resolveCorrelation } from '../correlation.js';
import { defaultPactDir } from '../pact-dir.js';
import type { JsonValue, ProviderStateSpec } from '../types.js';
import { GRPC_CONTRACT_SUFFIX, type GrpcContractFile, type GrpcInteraction } from './contract-file.js';
import { extractRules, matchValue, type ValueMismatch } from './matching.js';
import { loadService, readProtoFiles, statusCode } from './proto.js';

/** Options for {@link grpcContract}. */
export interface GrpcContractOptions {
  readonly consumer: string;
  readonly provider: string;
  /** The consumer's copy of the .proto that declares `service`, relative to `protoRoot`. */
  readonly proto: string;
  /** Include path of the .proto files. Default: the folder of `proto`. */
  readonly protoRoot?: string;
  /** Fully qualified service, e.g. `shop.customers.v1.Customers`. */
  readonly service: string;
  /**
   * Require the correlation ID (default header `x-correlation-id`) and, unless
   * `traceparent: false`, `traceparent` in the request metadata; with `echo: true`
   * the provider must answer with the correlation ID in its response metadata.
   */
  readonly correlation?: CorrelationOption;
  /** Folder the contract is written to. Default: $MSA_VERIFY_PACT_DIR, else `contracts/pacts`. */
  readonly pactDir?: string;
}

/** gRPC status names (`OK`, `NOT_FOUND`, `UNAVAILABLE`, ...). */
export type GrpcStatusName = keyof typeof grpc.status;

/** One gRPC interaction a consumer relies on. Values may be Pact matchers. */
export interface GrpcInteractionSpec {
  readonly description: string;
  readonly states?: readonly ProviderStateSpec[];
  /** Method name within the service, e.g. `GetCustomer`. */
  readonly method: string;
  /** The request message (matchers allowed). */
  readonly request: unknown;
  /** Request metadata beyond the correlation metadata (matchers allowed). */
  readonly requestMetadata?: Record<string, unknown>;
  readonly response: {
    /** Expected status. Default `OK`. */
    readonly status?: GrpcStatusName;
    /** The response message when the status is OK (matchers allowed). */
    readonly message?: unknown;
    /** Response metadata beyond the echoed correlation ID (matchers allowed). */
    readonly metadata?: Record<string, unknown>;
  };
}

/** What a consumer test body receives. */
export interface GrpcTestContext {
  /** host:port of the mock provider. */
  readonly address: string;
  /** Correlation metadata (example values) the consumer must send when correlation is on; else empty. */
  readonly correlationMetadata: Readonly<Record<string, string>>;
}

/** A consumer/provider gRPC contract under construction. */
export interface GrpcContract {
  readonly consumer: string;
  readonly provider: string;
  /** Registers an interaction, runs `test` against a mock provider; writes the contract on success. */
  interaction<T>(spec: GrpcInteractionSpec, test: (ctx: GrpcTestContext) => Promise<T>): Promise<T>;
}

/** Creates a gRPC consumer contract. */
export function grpcContract(options: GrpcContractOptions): GrpcContract {
  const correlation = resolveCorrelation(options.correlation);
  const root = path.resolve(options.protoRoot ?? path.dirname(options.proto));
  const protoFile = path.relative(root, path.resolve(options.proto));
  const loaded = loadService(protoFile, root, options.service);
  const file = (): string =>
    path.resolve(options.pactDir ?? defaultPactDir(), `${options.consumer}-${options.provider}${GRPC_CONTRACT_SUFFIX}`);

  const build = (spec: GrpcInteractionSpec): GrpcInteraction => {
    const status = spec.response.status ?? 'OK';
    if (statusCode(status) === undefined) throw new Error(`${spec.description}: unknown gRPC status "${status}"`);
    if (!loaded.definition[spec.method]) {
      throw new Error(`${spec.description}: ${options.service} has no method ${spec.method} in ${options.proto}`);
    }
    const request = extractRules(spec.request ?? {});
    const requestMetadata = extractRules({
      ...(spec.requestMetadata ?? {}),
      ...(correlation ? correlationMatchers(correlation) : {}),
    });
    const echoed = correlation?.echo
      ? { [correlation.header]: correlationMatchers(correlation)[correlation.header] }
      : {};
    const response = extractRules(status === 'OK' ? (spec.response.message ?? {}) : {});
    const responseMetadata = extractRules({ ...(spec.response.metadata ?? {}), ...echoed });
    return {
      type: 'Synchronous/Messages',
      transport: 'grpc',
      description: spec.description,
      providerStates: (spec.states ?? []).map((s) => ({ name: s.name, ...(s.params ? { params: s.params } : {}) })),
      pending: false,
      grpc: { service: options.service, method: spec.method },
      request: {
        contents: { contentType: 'application/json', encoded: false, content: request.example },
        metadata: requestMetadata.example as Record<string, JsonValue>,
        matchingRules: { body: request.rules, metadata: requestMetadata.rules },
      },
      response: [
        {
          contents: { contentType: 'application/json', encoded: false, content: response.example },
          metadata: { ...(responseMetadata.example as Record<string, JsonValue>), 'grpc-status': status },
          matchingRules: { body: response.rules, metadata: responseMetadata.rules },
        },
      ],
    };
  };

  const write = async (interaction: GrpcInteraction): Promise<void> => {
    const target = file();
    await mkdir(path.dirname(target), { recursive: true });
    let existing: GrpcInteraction[] = [];
    try {
      existing = [...(JSON.parse(await readFile(target, 'utf8')) as GrpcContractFile).interactions];
    } catch {
      existing = [];
    }
    const interactions = [...existing.filter((i) => i.description !== interaction.description), interaction].sort(
      (a, b) => a.description.localeCompare(b.description),
    );
    const contract: GrpcContractFile = {
      consumer: { name: options.consumer },
      provider: { name: options.provider },
      interactions,
      metadata: {
        pactSpecification: { version: '4.0' },
        msaVerify: { transport: 'grpc', protoFiles: await readProtoFiles(root, [protoFile]) },
      },
    };
    // Written whole, then renamed: a reader never sees half a file.
    await writeFile(`${target}.tmp`, `${JSON.stringify(contract, null, 2)}\n`);
    await rename(`${target}.tmp`, target);
  };

  return {
    consumer: options.consumer,
    provider: options.provider,
    async interaction<T>(spec: GrpcInteractionSpec, test: (ctx: GrpcTestContext) => Promise<T>): Promise<T> {
      const interaction = build(spec);
      const problems: string[] = [];
      let calls = 0;
      const server = new grpc.Server();
      const handlers: grpc.UntypedServiceImplementation = {};
      for (const method of Object.keys(loaded.definition)) {
        handlers[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          if (method !== spec.method) {
            problems.push(`called ${method}, but the interaction is for ${spec.method}`);
            return callback({ code: grpc.status.UNIMPLEMENTED, details: `no interaction for ${method}` });
          }
          calls += 1;
          const mismatches: ValueMismatch[] = [
            ...matchValue(
              interaction.request.contents.content,
              call.request,
              interaction.request.matchingRules.body ?? {},
              'request',
            ),
            ...matchValue(
              interaction.request.metadata,
              metadataObject(call.metadata),
              interaction.request.matchingRules.metadata ?? {},
              'metadata',
            ),
          ];
          if (mismatches.length > 0) {
            problems.push(...mismatches.map((m) => m.message));
            return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'request does not match the contract' });
          }
          const answer = interaction.response[0];
          const out = new grpc.Metadata();
          for (const [key, value] of Object.entries(answer.metadata)) {
            if (key === 'grpc-status') continue;
            // The correlation ID is echoed as received; other values are the examples.
            const received = call.metadata.get(key)[0];
            out.set(
              key,
              correlation && key === correlation.header && typeof received === 'string' ? received : String(value),
            );
          }
          const status = statusCode(String(answer.metadata['grpc-status']))!;
          if (status === grpc.status.OK) {
            call.sendMetadata(out);
            return callback(null, answer.contents.content);
          }
          return callback({ code: status, details: interaction.description, metadata: out });
        };
      }
      server.addService(loaded.definition, handlers);
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      );
      let result: T;
      try {
        result = await test({
          address: `127.0.0.1:${port}`,
          correlationMetadata: correlation ? correlationExample(correlation) : {},
        });
      } finally {
        server.forceShutdown();
      }
      if (calls === 0) problems.push(`${spec.method} was never called: the interaction was not exercised`);
      if (problems.length > 0) {
        throw new Error(
          `gRPC interaction "${spec.description}" (${options.service}/${spec.method}):\n  ${problems.join('\n  ')}`,
        );
      }
      await write(interaction);
      return result;
    },
  };
}

/** Metadata as a plain object of first string values (binary values skipped). */
export function metadataObject(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (typeof values === 'string') out[key] = values;
  }
  return out;
}
