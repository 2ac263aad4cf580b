import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ErrorCode, MsaVerifyError, type Problem } from '../../core/errors.js';
import type { ContractPairResult } from '../../core/results.js';
import type { PactFileInfo } from '../pact-files.js';
import type { PactLogLevel } from './verify-provider.js';

// Verification of a large pact in shards: the interactions of a provider's
// local HTTP pacts are cut into chunks (each a pact file of its own, at most
// CHUNK_MAX interactions), the chunks are dealt round-robin to worker
// processes (as many as cores, by default; the calling process is the first
// of them), each worker verifies its chunks
// one after the other with its own pact-js Verifier (one warm Pact core per
// process), and the results are put back together in the pacts' order.
//
// Why chunks and not one file per worker: Pact's core spends more per
// interaction the more interactions one verification holds (measured in
// docs/benchmarks.md); chunks bound that, and round-robin dealing evens out
// the workers.
//
// State that shards share: every worker runs the module's state handlers and
// beforeEach/afterEach in its own process, for its own interactions, at the
// same time as the other workers. A handler may rely only on what its own
// interaction set up; a shared store (a database, the provider's memory
// reached through stateChangeUrl) must be set up additively (insert what the
// interaction needs, keyed by its params) and never reset as a whole in a
// teardown, or one shard would undo another's state. Where that cannot be
// done, keep `shards: 1`.

/**
 * Chunks one worker verifies at the same time (each with its own verifier).
 * Verifying is mostly waiting (the core, pact-js's proxy, the state handler
 * and the provider hand each request on), so two verifiers per process keep
 * a core busy where one leaves it idle between hand-overs.
 */
export const CHUNKS_AT_ONCE = 2;

/** Runs `verify` on every chunk, {@link CHUNKS_AT_ONCE} at a time; results in the chunks' order. */
export async function inTurns<T>(
  chunks: readonly string[],
  verify: (chunk: string) => Promise<T>,
  atOnce = CHUNKS_AT_ONCE,
): Promise<T[]> {
  const out: T[] = new Array(chunks.length);
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const i = next++;
      out[i] = await verify(chunks[i] as string);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, chunks.length) }, lane));
  return out;
}

/** Largest number of interactions one verifier is given in a sharded run. */
export const CHUNK_MAX = 125;
/** `shards: auto` leaves a pact with fewer interactions in one verifier. */
export const AUTO_MIN_INTERACTIONS = 100;
/** `shards: auto` adds a worker per this many interactions, up to the cores. */
export const INTERACTIONS_PER_WORKER = 250;

/** What a worker is asked to do. */
export interface ShardRequest {
  readonly provider: string;
  readonly url?: string;
  /** Provider module (absolute path): its stateHandlers, beforeEach/afterEach and requestFilter are used. */
  readonly module?: string;
  /** Config field of the module, for messages. */
  readonly moduleField: string;
  readonly stateChangeUrl?: string;
  readonly statesWithoutSetup: readonly string[];
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly disableSslVerification: boolean;
  readonly logLevel?: PactLogLevel;
  /** Result kind of each consumer's pair. */
  readonly kinds: Readonly<Record<string, ContractPairResult['kind']>>;
  /** Pact files, verified one after the other. */
  readonly chunks: readonly string[];
}

/** What a worker answers: one result list per chunk, in the order of `chunks`. */
export type ShardReply =
  | { readonly ok: true; readonly results: readonly (readonly ContractPairResult[])[] }
  | { readonly ok: false; readonly code?: ErrorCode; readonly message: string; readonly problems?: readonly Problem[] };

/** The provider's `shards` setting. */
export type ShardsSetting = 'auto' | number;

/** How a provider's verification is cut. */
export interface ShardLayout {
  readonly workers: number;
  /** Interactions per chunk. */
  readonly chunkSize: number;
}

/**
 * Workers and chunk size for `interactions` interactions, or undefined when
 * the verification is not sharded (`shards: 1`, or too few interactions to cut).
 * `auto`: a worker per {@link INTERACTIONS_PER_WORKER} interactions, up to `cores`.
 */
export function shardLayout(setting: ShardsSetting, interactions: number, cores: number): ShardLayout | undefined {
  if (setting === 1 || interactions < 2) return undefined;
  // Below this, starting verifiers costs more than it saves.
  if (setting === 'auto' && interactions < AUTO_MIN_INTERACTIONS) return undefined;
  const wanted = setting === 'auto' ? Math.ceil(interactions / INTERACTIONS_PER_WORKER) : setting;
  const workers = Math.max(1, Math.min(wanted, interactions, setting === 'auto' ? cores : wanted));
  const chunkSize = Math.min(CHUNK_MAX, Math.ceil(interactions / (workers * CHUNKS_AT_ONCE)));
  if (workers === 1 && chunkSize >= interactions) return undefined;
  return { workers, chunkSize };
}

/** Writes each pact's interactions as chunk files of at most `chunkSize`, in order. */
export async function writeChunks(
  pacts: readonly PactFileInfo[],
  chunkSize: number,
  dir: string,
): Promise<{ file: string; interactions: number }[]> {
  const files: { file: string; interactions: number }[] = [];
  for (const pact of pacts) {
    const doc = JSON.parse(await readFile(pact.file, 'utf8')) as { interactions?: unknown[] };
    const all = doc.interactions ?? [];
    for (let start = 0; start < all.length; start += chunkSize) {
      const file = path.join(dir, `${files.length}.json`);
      const slice = all.slice(start, start + chunkSize);
      await writeFile(file, JSON.stringify({ ...doc, interactions: slice }));
      files.push({ file, interactions: slice.length });
    }
  }
  return files;
}

/** Puts chunk results back together: one pair per consumer, interactions in the pacts' order. */
export function mergeShardResults(
  perChunk: readonly (readonly ContractPairResult[])[],
  workers: number,
): ContractPairResult[] {
  const byConsumer = new Map<
    string,
    { first: ContractPairResult; interactions: ContractPairResult['interactions'][]; ms: number }
  >();
  for (const pairs of perChunk) {
    for (const pair of pairs) {
      const entry = byConsumer.get(pair.consumer) ?? { first: pair, interactions: [], ms: 0 };
      entry.interactions.push(pair.interactions);
      entry.ms += pair.durationMs;
      byConsumer.set(pair.consumer, entry);
    }
  }
  return [...byConsumer.values()].map(({ first, interactions, ms }) => {
    const all = interactions.flat();
    return {
      consumer: first.consumer,
      provider: first.provider,
      kind: first.kind,
      passed: all.every((i) => i.passed),
      // Chunks ran side by side on `workers` processes.
      durationMs: Math.round(ms / workers),
      interactions: all,
    };
  });
}

/** Options for {@link verifyInShards}. */
export interface VerifyInShardsOptions extends Omit<ShardRequest, 'chunks'> {
  readonly pacts: readonly PactFileInfo[];
  readonly layout: ShardLayout;
  /** Environment of the workers. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Verifies chunks in this process, as a worker would (one result list per
   * chunk). This process is then the first worker: one Node and one Pact
   * core fewer to start.
   */
  readonly local?: (chunks: readonly string[]) => Promise<ContractPairResult[][]>;
}

function runWorker(request: ShardRequest, env: NodeJS.ProcessEnv, started: Set<() => void>) {
  return new Promise<ContractPairResult[][]>((resolve, reject) => {
    // Pact's own report goes where the coordinator's goes.
    const child = fork(new URL('./shard-child.js', import.meta.url), [], {
      env,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const kill = () => child.kill('SIGKILL');
    started.add(kill);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      process.stderr.write(d);
    });
    let reply: ShardReply | undefined;
    child.once('message', (m: ShardReply) => {
      reply = m;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      started.delete(kill);
      if (!reply) {
        reject(
          new MsaVerifyError(
            'MSAV_COMPONENT_UNAVAILABLE',
            `verification shard of ${request.provider} ended (${signal ?? code}) without a result: ${stderr.trim().slice(-500)}`,
          ),
        );
      } else if (reply.ok) {
        resolve(reply.results.map((r) => [...r]));
      } else if (reply.code) {
        reject(new MsaVerifyError(reply.code, reply.message, { problems: [...(reply.problems ?? [])] }));
      } else {
        reject(new Error(reply.message));
      }
    });
    child.send(request);
  });
}

/**
 * Verifies a provider's local HTTP pacts in shards (see the top of this file)
 * and returns one result per consumer, as {@link verifyProvider} would.
 * @throws MsaVerifyError as the workers throw it (bad module: exit 2, could not run: exit 3).
 */
export async function verifyInShards(options: VerifyInShardsOptions): Promise<ContractPairResult[]> {
  const { pacts, layout, env, local, ...request } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-shards-'));
  const started = new Set<() => void>();
  try {
    const chunks = await writeChunks(pacts, layout.chunkSize, dir);
    const workers = Math.min(layout.workers, chunks.length);
    const dealt = Array.from({ length: workers }, (_, w) =>
      chunks.filter((_, i) => i % workers === w).map((c) => c.file),
    );
    const perWorker = await Promise.all(
      dealt.map((mine, w) =>
        w === 0 && local ? local(mine) : runWorker({ ...request, chunks: mine }, env ?? process.env, started),
      ),
    ).catch((error: unknown) => {
      for (const kill of started) kill();
      throw error;
    });
    // Chunk i is the (i / workers)-th chunk of worker i % workers.
    const perChunk = chunks.map((chunk, i) => {
      const pairs = perWorker[i % workers]?.[Math.floor(i / workers)] ?? [];
      const got = pairs.reduce((n, p) => n + p.interactions.length, 0);
      // A chunk whose interactions did not all come back would pass as less than the pact.
      if (got !== chunk.interactions) {
        throw new MsaVerifyError(
          'MSAV_COMPONENT_UNAVAILABLE',
          `verification shard of ${request.provider} reported ${got} of the ${chunk.interactions} interactions of its chunk ${i}`,
        );
      }
      return pairs;
    });
    return mergeShardResults(perChunk, workers);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
