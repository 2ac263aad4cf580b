import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MsaVerifyError } from '../core/errors.js';
import { validateSource } from '../core/validate.js';
import { parseYamlSource } from '../core/yaml-source.js';
import type { RunResult } from './types.js';

// Reads a JSON report (writeJsonReport) back for rendering. JSON is parsed as
// YAML so that problems carry file:line:column like every other input file.

const num = z.number();
const str = z.string();

const verdict = z.object({
  type: str,
  name: str,
  phase: str,
  passed: z.boolean(),
  observed: num.nullable(),
  bound: str,
  unit: str,
  message: str,
});

const delivery = z.object({
  name: str,
  consumer: str,
  transport: z.enum(['kafka', 'rabbitmq']),
  phase: str,
  published: num,
  processed: num,
  lost: num,
  duplicated: num,
  late: num,
  examples: z.object({ lost: z.array(str), duplicated: z.array(str), late: z.array(str) }),
  delayMs: z.object({ p50: num, max: num }).optional(),
});

const chaos = z.object({
  kind: z.literal('chaos'),
  runId: str,
  scenario: str,
  file: str,
  startedAt: num,
  endedAt: num,
  passed: z.boolean(),
  rolledBack: z.boolean(),
  phases: z.array(
    z.object({
      name: str,
      kind: z.enum(['steady', 'fault', 'fail-first', 'recovery']),
      startedAt: num,
      endedAt: num,
      requests: num,
      errors: num,
      latencyMs: z.object({ p50: num, p95: num, p99: num, max: num }),
      verdicts: z.array(verdict),
      deliveries: z.array(delivery).optional(),
    }),
  ),
  faults: z.array(z.object({ proxy: str, toxic: str, type: str, startedAt: num, endedAt: num })),
  timeline: z.array(z.object({ t: num, latencyMs: num, status: num, phase: str })),
  consumerLag: z
    .array(
      z.object({
        name: str,
        consumer: str,
        topic: str,
        group: str,
        points: z.array(z.object({ at: num, end: num, committed: num, lag: num })),
        failedReads: z.object({ count: num, first: str }).optional(),
      }),
    )
    .optional(),
});

const contracts = z.object({
  kind: z.literal('contracts'),
  runId: str,
  startedAt: num,
  endedAt: num,
  passed: z.boolean(),
  pairs: z.array(
    z.object({
      consumer: str,
      provider: str,
      kind: z.enum(['http', 'message', 'transport', 'grpc']),
      passed: z.boolean(),
      durationMs: num,
      interactions: z.array(
        z.object({
          description: str,
          providerStates: z.array(str),
          passed: z.boolean(),
          mismatches: z.array(z.object({ path: str, expected: str.optional(), actual: str.optional(), message: str })),
        }),
      ),
    }),
  ),
  withoutPacts: z.array(z.object({ provider: str, allowed: z.boolean() })).optional(),
});

const trace = z.object({
  kind: z.literal('trace'),
  runId: str,
  check: str,
  file: str,
  startedAt: num,
  endedAt: num,
  passed: z.boolean(),
  correlationId: str,
  traceId: str.nullable(),
  traceUrl: str.nullable(),
  source: str,
  verdicts: z.array(
    z.object({
      rule: str,
      name: str,
      passed: z.boolean(),
      observed: num.nullable(),
      bound: str,
      unit: str,
      message: str,
    }),
  ),
  spans: z.array(
    z.object({
      spanId: str,
      parentSpanId: str.nullable(),
      depth: num,
      service: str,
      name: str,
      kind: z.enum(['server', 'client', 'producer', 'consumer', 'internal']),
      startTime: num,
      durationMs: num,
      status: z.enum(['unset', 'ok', 'error']),
      correlationId: str.nullable(),
    }),
  ),
  neverReported: z.array(str),
  lastSpanToVerdictMs: num.nullable(),
});

const report = z.object({
  version: z.literal(1),
  results: z.array(z.discriminatedUnion('kind', [chaos, contracts, trace])),
});

/**
 * Reads the results of a JSON report written by `writeJsonReport`.
 * @throws MsaVerifyError `MSAV_RESULTS_INVALID` (exit 2) when the file is missing or not a valid report,
 *   with located problems.
 */
export async function readResultsFile(file: string): Promise<RunResult[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new MsaVerifyError('MSAV_RESULTS_INVALID', `cannot read results file ${file}`, { cause });
  }
  const checked = validateSource(parseYamlSource(file, text), report);
  if (!checked.ok) {
    throw new MsaVerifyError('MSAV_RESULTS_INVALID', `${file} is not a msa-verify JSON report (version 1)`, {
      problems: checked.problems,
    });
  }
  return checked.value.results as RunResult[];
}
