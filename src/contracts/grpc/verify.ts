// Provider side of gRPC contracts. Per contract (one consumer): first the wire
// check (`buf breaking`, provider .proto against the consumer's copy), then
// every interaction against the live provider over real gRPC (its .proto from
// the config, or its descriptors through server reflection): provider states,
// the request built from the contract's example (with a fresh correlation ID),
// and the answer judged with Pact's matching rules: status (`grpc-status`),
// body (decoded with the provider's .proto, so a field it no longer has is
// missing) and response metadata (the correlation ID echoed as sent).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_CORRELATION_HEADER } from '../../core/correlation-id.js';
import { isMsaVerifyError, MsaVerifyError } from '../../core/errors.js';
import type { ContractPairResult, InteractionResult, Mismatch } from '../../core/results.js';
import type { StateHandlers } from '../types.js';
import { metadataObject } from './consumer.js';
import type { GrpcContractInfo, GrpcInteraction } from './contract-file.js';
import { matchValue } from './matching.js';
import { type LoadedService, loadService, loadServiceFromSet, statusName } from './proto.js';
import { descriptorSet, reflectDescriptors } from './reflection.js';
import { checkWire, type WireFinding, type WireInput } from './wire.js';

/** Options for {@link verifyGrpcProvider}. */
export interface VerifyGrpcOptions {
  readonly provider: string;
  /** host:port of the live provider. */
  readonly address: string;
  /**
   * The provider's .proto file that declares the services, relative to `protoRoot`.
   * Without it the provider's descriptors are read through server reflection.
   */
  readonly proto?: string;
  /** Include path of the provider's .proto files (absolute). Needed with `proto`. */
  readonly protoRoot?: string;
  readonly contracts: readonly GrpcContractInfo[];
  readonly stateHandlers?: StateHandlers;
  readonly statesWithoutSetup?: readonly string[];
  /** Deadline of each call, ms. */
  readonly timeoutMs: number;
}

/** Description of the wire-check entry in a pair's interactions. */
export const WIRE_CHECK = 'wire compatibility (buf breaking)';

async function assertReachable(provider: string, address: string): Promise<void> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + 3000, (error) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    throw new MsaVerifyError(
      'MSAV_TARGET_UNREACHABLE',
      `provider ${provider} is unreachable at ${address} (gRPC): ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    client.close();
  }
}

function wireResult(findings: readonly WireFinding[], consumerService: LoadedService | undefined): InteractionResult {
  // The methods a finding touches: its own name, or the methods whose request or response is its message.
  const methodsOf = (subject: string): string[] => {
    if (!consumerService) return [];
    const [owner] = subject.split('.');
    return Object.entries(consumerService.definition)
      .filter(([name, m]) => {
        const typed = m as unknown as Record<'requestType' | 'responseType', { type?: { name?: string } } | undefined>;
        const types = [typed.requestType?.type?.name, typed.responseType?.type?.name];
        return subject.endsWith(`.${name}`) || types.includes(owner);
      })
      .map(([name]) => name);
  };
  const mismatches: Mismatch[] = findings.map((f) => {
    const methods = methodsOf(f.subject);
    return {
      path: `proto.${f.subject}`,
      message: `${methods.length > 0 ? `${methods.join(', ')}: ` : ''}${f.message} (buf ${f.rule}, provider ${f.file}:${f.line}:${f.column})`,
    };
  });
  return { description: WIRE_CHECK, providerStates: [], passed: mismatches.length === 0, mismatches };
}

async function setUpStates(interaction: GrpcInteraction, options: VerifyGrpcOptions): Promise<Mismatch[]> {
  const out: Mismatch[] = [];
  for (const state of interaction.providerStates) {
    const handler = options.stateHandlers?.[state.name];
    if (!handler) {
      if (!options.statesWithoutSetup?.includes(state.name)) {
        out.push({
          path: 'providerState',
          message: `no state handler for "${state.name}" (add it to the module's stateHandlers, or to statesWithoutSetup if it needs no set-up)`,
        });
      }
      continue;
    }
    const setup = typeof handler === 'function' ? handler : handler.setup;
    try {
      await setup?.({ ...(state.params ?? {}) });
    } catch (error) {
      out.push({ path: 'providerState', message: `state handler "${state.name}" failed: ${(error as Error).message}` });
    }
  }
  return out;
}

interface CallOutcome {
  readonly status: number;
  readonly details: string;
  readonly body: unknown;
  readonly metadata: Record<string, string>;
}

function callUnary(
  client: grpc.Client,
  method: grpc.MethodDefinition<unknown, unknown>,
  request: unknown,
  metadata: grpc.Metadata,
  timeoutMs: number,
): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let initial: Record<string, string> = {};
    let body: unknown;
    let done: { code: number; details: string; trailers: Record<string, string> } | undefined;
    const finish = (): void => {
      if (done) resolve({ status: done.code, details: done.details, body, metadata: { ...initial, ...done.trailers } });
    };
    const call = client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      metadata,
      { deadline: new Date(Date.now() + timeoutMs) },
      (_error, value) => {
        body = value;
      },
    );
    call.on('metadata', (m: grpc.Metadata) => {
      initial = metadataObject(m);
    });
    call.on('status', (s: grpc.StatusObject) => {
      done = { code: s.code, details: s.details, trailers: metadataObject(s.metadata) };
      // The callback runs before 'status' for unary calls; resolve on the next turn to be sure.
      setImmediate(finish);
    });
  });
}

async function verifyInteraction(
  interaction: GrpcInteraction,
  service: LoadedService | undefined,
  fallback: LoadedService,
  client: grpc.Client,
  options: VerifyGrpcOptions,
): Promise<InteractionResult> {
  const states = interaction.providerStates.map((s) => s.name);
  const mismatches: Mismatch[] = await setUpStates(interaction, options);
  const name = interaction.grpc.method;
  // The provider's own method definition; without it (removed from its .proto) the consumer's, to see what the server says.
  let method = service?.definition[name];
  if (!method) {
    mismatches.push({
      path: `method ${interaction.grpc.service}/${name}`,
      message: `${name}: the provider's .proto has no method ${interaction.grpc.service}/${name}`,
    });
    method = fallback.definition[name];
  }
  if (mismatches.some((m) => m.path === 'providerState') || !method) {
    return { description: interaction.description, providerStates: states, passed: false, mismatches };
  }
  const sent = new grpc.Metadata();
  const correlationId = `msav-${randomBytes(8).toString('hex')}`;
  for (const [key, value] of Object.entries(interaction.request.metadata)) {
    sent.set(key, key === DEFAULT_CORRELATION_HEADER ? correlationId : String(value));
  }
  const outcome = await callUnary(client, method, interaction.request.contents.content, sent, options.timeoutMs);
  const answer = interaction.response[0];
  const expectedStatus = String(answer.metadata['grpc-status']);
  const label = (p: string): string => `${name}: ${p}`;
  if (statusName(outcome.status) !== expectedStatus) {
    mismatches.push({
      path: 'status',
      expected: expectedStatus,
      actual: statusName(outcome.status),
      message: label(
        `expected status ${expectedStatus}, got ${statusName(outcome.status)}${outcome.details ? ` (${outcome.details})` : ''}`,
      ),
    });
  } else if (outcome.status === grpc.status.OK) {
    for (const m of matchValue(answer.contents.content, outcome.body, answer.matchingRules.body ?? {}, 'body')) {
      mismatches.push({ ...m, message: label(m.message) });
    }
  }
  const { 'grpc-status': _status, ...expectedMetadata } = answer.metadata;
  for (const m of matchValue(expectedMetadata, outcome.metadata, answer.matchingRules.metadata ?? {}, 'metadata')) {
    mismatches.push({ ...m, message: label(m.message) });
  }
  const echoed = outcome.metadata[DEFAULT_CORRELATION_HEADER];
  if (DEFAULT_CORRELATION_HEADER in expectedMetadata && echoed !== undefined && echoed !== correlationId) {
    mismatches.push({
      path: `metadata.${DEFAULT_CORRELATION_HEADER}`,
      expected: correlationId,
      actual: echoed,
      message: label(
        `metadata.${DEFAULT_CORRELATION_HEADER}: expected the correlation ID sent (${correlationId}), got ${echoed}`,
      ),
    });
  }
  return { description: interaction.description, providerStates: states, passed: mismatches.length === 0, mismatches };
}

/**
 * Verifies a gRPC provider against its consumers' contracts: one pair per
 * contract (consumer), kind `grpc`, whose first entry is the wire check.
 * @throws MsaVerifyError exit 3 when the provider does not answer, 2 for a bad .proto.
 */
export async function verifyGrpcProvider(options: VerifyGrpcOptions): Promise<ContractPairResult[]> {
  await assertReachable(options.provider, options.address);
  const pairs: ContractPairResult[] = [];
  for (const { contract } of options.contracts) {
    const started = Date.now();
    const services = [...new Set(contract.interactions.map((i) => i.grpc.service))];
    const { proto, protoRoot } = options;
    let wireInput: WireInput;
    let providerService: (service: string) => LoadedService | undefined;
    if (proto !== undefined && protoRoot !== undefined) {
      wireInput = { root: protoRoot };
      providerService = (service) => {
        try {
          return loadService(proto, protoRoot, service);
        } catch (error) {
          // A service the provider dropped is reported per interaction; a .proto that does not load stops the run.
          if (isMsaVerifyError(error) && error.message.includes('has no service')) return undefined;
          throw error;
        }
      };
    } else {
      const set = descriptorSet(await reflectDescriptors(options.address, services, options.timeoutMs));
      wireInput = { descriptorSet: set };
      providerService = (service) => {
        try {
          return loadServiceFromSet(set, service, `server reflection at ${options.address}`);
        } catch {
          return undefined;
        }
      };
    }
    const findings = await checkWire(contract.metadata.msaVerify.protoFiles, wireInput);
    // The consumer's copy, loaded from a temporary folder (to name methods, and to call a method the provider dropped).
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'msav-grpc-consumer-'));
    const interactions: InteractionResult[] = [];
    try {
      for (const [rel, text] of Object.entries(contract.metadata.msaVerify.protoFiles)) {
        await mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
        await writeFile(path.join(tmp, rel), text);
      }
      const consumerFile = Object.keys(contract.metadata.msaVerify.protoFiles)[0] ?? '';
      const consumerServices = new Map(services.map((s) => [s, loadService(consumerFile, tmp, s)]));
      interactions.push(wireResult(findings, consumerServices.get(services[0] ?? '')));
      for (const serviceName of services) {
        const own = providerService(serviceName);
        const client = new grpc.Client(options.address, grpc.credentials.createInsecure());
        try {
          for (const interaction of contract.interactions.filter((i) => i.grpc.service === serviceName)) {
            interactions.push(
              await verifyInteraction(interaction, own, consumerServices.get(serviceName)!, client, options),
            );
          }
        } finally {
          client.close();
        }
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    pairs.push({
      consumer: contract.consumer.name,
      provider: contract.provider.name,
      kind: 'grpc',
      passed: interactions.every((i) => i.passed),
      durationMs: Date.now() - started,
      interactions,
    });
  }
  return pairs;
}
