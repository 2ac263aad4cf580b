import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import { countField, durationField, positiveField, ratioField, shortNameField } from './fields.js';

// One entry per fault kind a scenario can name. Adding a Toxiproxy toxic is one
// schema here plus one case in `toToxiproxyToxic`.

const common = {
  /** Name of the proxy (from `proxies`) the fault applies to. */
  proxy: shortNameField,
};

const toxicCommon = {
  ...common,
  /** Direction: `downstream` (upstream → client, default) or `upstream` (client → upstream). */
  stream: z.enum(['upstream', 'downstream']).default('downstream'),
  /** Probability that a connection is affected, 0..1. Default 1. */
  toxicity: ratioField.default(1),
};

export const LatencyFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('latency'),
  /** Added delay. */
  latency: durationField,
  /** Random +/- variation. Default 0ms. */
  jitter: durationField.default('0ms'),
});

export const BandwidthFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('bandwidth'),
  /** Rate limit in KB/s. */
  rate: countField,
});

export const SlowCloseFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('slow_close'),
  /** Delay before the connection is closed. */
  delay: durationField,
});

export const TimeoutFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('timeout'),
  /** Data stops; the connection closes after this (0ms: never, it hangs). */
  timeout: durationField,
});

export const ResetPeerFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('reset_peer'),
  /** Reset the connection (TCP RST) after this. Default 0ms: immediately. */
  timeout: durationField.default('0ms'),
});

export const SlicerFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('slicer'),
  /** Average packet size in bytes. */
  averageSize: positiveField,
  /** Variation of the size in bytes. Default 0. */
  sizeVariation: countField.default(0),
  /** Delay between packets. */
  delay: durationField.default('0ms'),
});

export const LimitDataFault = z.strictObject({
  ...toxicCommon,
  type: z.literal('limit_data'),
  /** Close the connection after this many bytes. */
  bytes: countField,
});

export const DownFault = z.strictObject({
  ...common,
  type: z.literal('down'),
});

const FAULTS = [
  LatencyFault,
  BandwidthFault,
  SlowCloseFault,
  TimeoutFault,
  ResetPeerFault,
  SlicerFault,
  LimitDataFault,
  DownFault,
] as const;

/** Names of every fault type, for messages. */
export const FAULT_TYPES = FAULTS.map((f) => f.shape.type.value);

/** One fault of a `fault` phase: a Toxiproxy toxic, or the proxy taken down. */
export const FaultSchema = z.discriminatedUnion('type', FAULTS, {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown fault type ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type ?? null)}: expected one of ${FAULT_TYPES.join(', ')}`
      : undefined,
});

export type Fault = z.output<typeof FaultSchema>;

/** A toxic as Toxiproxy's API takes it (without the name). */
export interface ToxiproxyToxic {
  readonly type: string;
  readonly stream: 'upstream' | 'downstream';
  readonly toxicity: number;
  readonly attributes: Record<string, number>;
}

/** Converts a scenario fault into Toxiproxy's toxic body; null for `down` (the proxy is disabled instead). */
export function toToxiproxyToxic(fault: Fault): ToxiproxyToxic | null {
  if (fault.type === 'down') return null;
  const base = { type: fault.type, stream: fault.stream, toxicity: fault.toxicity };
  switch (fault.type) {
    case 'latency':
      return { ...base, attributes: { latency: parseDuration(fault.latency), jitter: parseDuration(fault.jitter) } };
    case 'bandwidth':
      return { ...base, attributes: { rate: fault.rate } };
    case 'slow_close':
      return { ...base, attributes: { delay: parseDuration(fault.delay) } };
    case 'timeout':
      return { ...base, attributes: { timeout: parseDuration(fault.timeout) } };
    case 'reset_peer':
      return { ...base, attributes: { timeout: parseDuration(fault.timeout) } };
    case 'slicer':
      // Toxiproxy takes the slicer delay in microseconds.
      return {
        ...base,
        attributes: {
          average_size: fault.averageSize,
          size_variation: fault.sizeVariation,
          delay: parseDuration(fault.delay) * 1000,
        },
      };
    case 'limit_data':
      return { ...base, attributes: { bytes: fault.bytes } };
  }
}
