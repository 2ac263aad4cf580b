import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import { countField, durationField, flagField, positiveField, ratioField, shortNameField } from './fields.js';

// Every fault kind a scenario can name. Adding a Toxiproxy toxic is one entry
// in `TOXICS`: its scenario fields next to the Toxiproxy attributes they become.
// The schema union, `FAULT_TYPES` and `toToxiproxyToxic` all derive from it.

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
  /**
   * Close the proxy's open connections when the fault starts, so that callers
   * with pooled keep-alive connections must open new ones (which then meet the
   * fault). Default false.
   */
  cutConnections: flagField.default(false),
};

type ToxicShape<T extends string, F extends z.core.$ZodLooseShape> = typeof toxicCommon & {
  type: z.ZodLiteral<T>;
} & F;

/** One toxic type: the scenario schema of its faults and its Toxiproxy attributes. */
interface ToxicEntry<T extends string, F extends z.core.$ZodLooseShape> {
  readonly type: T;
  /** Common fields first, then `type`, then the toxic's own: the JSON Schema keeps this order. */
  readonly schema: z.ZodObject<z.core.util.Writeable<ToxicShape<T, F>>, z.core.$strict>;
  /** Toxiproxy's `attributes` for a parsed fault of this type (Toxiproxy's units). */
  readonly attributes: (fault: ToxicFault) => Record<string, number>;
}

/** What every parsed toxic fault has, whatever its type. */
interface ToxicFault {
  readonly type: string;
  readonly stream: 'upstream' | 'downstream';
  readonly toxicity: number;
}

function toxic<const T extends string, const F extends z.core.$ZodLooseShape>(
  type: T,
  fields: F,
  attributes: (fault: z.output<z.ZodObject<z.core.util.Writeable<ToxicShape<T, F>>>>) => Record<string, number>,
): ToxicEntry<T, F> {
  const schema = z.strictObject({ ...toxicCommon, type: z.literal(type), ...fields } as ToxicShape<T, F>);
  // `toToxiproxyToxic` picks the entry by `type`, which this schema pins, so the fault has these fields.
  return { type, schema, attributes: (fault) => attributes(fault as z.output<typeof schema>) };
}

const TOXICS = [
  toxic(
    'latency',
    {
      /** Added delay. */
      latency: durationField,
      /** Random +/- variation. Default 0ms. */
      jitter: durationField.default('0ms'),
    },
    (f) => ({ latency: parseDuration(f.latency), jitter: parseDuration(f.jitter) }),
  ),
  toxic(
    'bandwidth',
    {
      /** Rate limit in KB/s. */
      rate: countField,
    },
    (f) => ({ rate: f.rate }),
  ),
  toxic(
    'slow_close',
    {
      /** Delay before the connection is closed. */
      delay: durationField,
    },
    (f) => ({ delay: parseDuration(f.delay) }),
  ),
  toxic(
    'timeout',
    {
      /** Data stops; the connection closes after this (0ms: never, it hangs). */
      timeout: durationField,
    },
    (f) => ({ timeout: parseDuration(f.timeout) }),
  ),
  toxic(
    'reset_peer',
    {
      /** Reset the connection (TCP RST) after this. Default 0ms: immediately. */
      timeout: durationField.default('0ms'),
    },
    (f) => ({ timeout: parseDuration(f.timeout) }),
  ),
  toxic(
    'slicer',
    {
      /** Average packet size in bytes. */
      averageSize: positiveField,
      /** Variation of the size in bytes. Default 0. */
      sizeVariation: countField.default(0),
      /** Delay between packets. */
      delay: durationField.default('0ms'),
    },
    // Toxiproxy takes the slicer delay in microseconds.
    (f) => ({ average_size: f.averageSize, size_variation: f.sizeVariation, delay: parseDuration(f.delay) * 1000 }),
  ),
  toxic(
    'limit_data',
    {
      /** Close the connection after this many bytes. */
      bytes: countField,
    },
    (f) => ({ bytes: f.bytes }),
  ),
] as const;

/** Not a toxic: the run disables the proxy for the phase. */
const DownFault = z.strictObject({
  ...common,
  type: z.literal('down'),
});

// biome-ignore lint/suspicious/noExplicitAny: any entry; only its schema type is read.
type SchemasOf<T extends readonly ToxicEntry<string, any>[]> = { -readonly [I in keyof T]: T[I]['schema'] };

// `map` loses the tuple type that `discriminatedUnion` infers the union from.
const FAULTS = [...TOXICS.map((t) => t.schema), DownFault] as unknown as readonly [
  ...SchemasOf<typeof TOXICS>,
  typeof DownFault,
];

const BY_TYPE: ReadonlyMap<string, ToxicEntry<string, z.core.$ZodLooseShape>> = new Map(TOXICS.map((t) => [t.type, t]));

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
  const entry = BY_TYPE.get(fault.type)!;
  return { type: fault.type, stream: fault.stream, toxicity: fault.toxicity, attributes: entry.attributes(fault) };
}
