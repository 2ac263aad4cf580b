// The gRPC contract file: Pact V4's synchronous-message shape
// (`type: "Synchronous/Messages"`, one request, responses with metadata and
// matching rules) with `transport: "grpc"`, the gRPC method per interaction and,
// in the file's metadata, the consumer's copy of the .proto files (the wire
// check compares the provider's .proto with it). Written next to the pacts as
// `<consumer>-<provider>.grpc.json`; format in docs/grpc-contracts.md.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MsaVerifyError } from '../../core/errors.js';
import type { JsonValue } from '../types.js';
import type { RuleSet } from './matching.js';

/** File name suffix of gRPC contracts in the pact folder. */
export const GRPC_CONTRACT_SUFFIX = '.grpc.json';

/** A request or response of a gRPC interaction. */
export interface GrpcMessagePart {
  readonly contents: { readonly contentType: 'application/json'; readonly encoded: false; readonly content: JsonValue };
  /** Metadata; a response's `grpc-status` is the expected status name (`OK`, `NOT_FOUND`, ...). */
  readonly metadata: Record<string, JsonValue>;
  readonly matchingRules: { readonly body?: RuleSet; readonly metadata?: RuleSet };
}

/** One gRPC interaction (a Pact V4 synchronous message). */
export interface GrpcInteraction {
  readonly type: 'Synchronous/Messages';
  readonly transport: 'grpc';
  readonly description: string;
  readonly providerStates: readonly { readonly name: string; readonly params?: Record<string, JsonValue> }[];
  readonly pending: false;
  /** The method called: fully qualified service and method name. */
  readonly grpc: { readonly service: string; readonly method: string };
  readonly request: GrpcMessagePart;
  readonly response: readonly [GrpcMessagePart];
}

/** A whole gRPC contract file. */
export interface GrpcContractFile {
  readonly consumer: { readonly name: string };
  readonly provider: { readonly name: string };
  readonly interactions: readonly GrpcInteraction[];
  readonly metadata: {
    readonly pactSpecification: { readonly version: '4.0' };
    readonly msaVerify: {
      readonly transport: 'grpc';
      /** The consumer's copy of its .proto files, by path relative to their root. */
      readonly protoFiles: Readonly<Record<string, string>>;
    };
  };
}

const rule = z.object({
  match: z.string(),
  regex: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  value: z.unknown().optional(),
});
const rules = z.record(z.string(), z.object({ combine: z.literal('AND'), matchers: z.array(rule).min(1) }));
const part = z.object({
  contents: z.object({ contentType: z.literal('application/json'), encoded: z.literal(false), content: z.unknown() }),
  metadata: z.record(z.string(), z.unknown()),
  matchingRules: z.object({ body: rules.optional(), metadata: rules.optional() }),
});
const fileSchema = z.object({
  consumer: z.object({ name: z.string().min(1) }),
  provider: z.object({ name: z.string().min(1) }),
  interactions: z.array(
    z.object({
      type: z.literal('Synchronous/Messages'),
      transport: z.literal('grpc'),
      description: z.string().min(1),
      providerStates: z.array(
        z.object({ name: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() }),
      ),
      pending: z.literal(false),
      grpc: z.object({ service: z.string().min(1), method: z.string().min(1) }),
      request: part,
      response: z.tuple([
        part.extend({ metadata: z.record(z.string(), z.unknown()).and(z.object({ 'grpc-status': z.string() })) }),
      ]),
    }),
  ),
  metadata: z.object({
    pactSpecification: z.object({ version: z.literal('4.0') }),
    msaVerify: z.object({ transport: z.literal('grpc'), protoFiles: z.record(z.string(), z.string()) }),
  }),
});

/** A gRPC contract read from a file. */
export interface GrpcContractInfo {
  readonly file: string;
  readonly contract: GrpcContractFile;
}

/**
 * Reads and checks one gRPC contract file.
 * @throws MsaVerifyError `MSAV_PACT_INVALID` naming the file and the field.
 */
export async function readGrpcContract(file: string, display = file): Promise<GrpcContractInfo> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MsaVerifyError('MSAV_PACT_INVALID', `${display}: malformed JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MsaVerifyError(
      'MSAV_PACT_INVALID',
      `${display}: ${issue.path.join('.') || '(root)'}: ${issue.message} (expected a gRPC contract, see docs/grpc-contracts.md)`,
    );
  }
  return { file, contract: parsed.data as unknown as GrpcContractFile };
}

/** Every gRPC contract in `dir` (sorted by name); none when the folder does not exist. */
export async function readGrpcContracts(dir: string, cwd = process.cwd()): Promise<GrpcContractInfo[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(GRPC_CONTRACT_SUFFIX)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: GrpcContractInfo[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    out.push(await readGrpcContract(file, path.relative(cwd, file) || file));
  }
  return out;
}
