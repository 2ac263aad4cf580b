import { z } from 'zod';

// The shape of a pact file, as far as msa-verify checks it before Pact's core
// reads it: V1-V3 (`interactions` with request/response, or V3 `messages`) and
// V4 (`interactions` typed `Synchronous/HTTP`, `Asynchronous/Messages`,
// `Synchronous/Messages`). Unknown keys are allowed: Pact adds its own.

const named = z.looseObject({ name: z.string().min(1, { message: 'expected a non-empty name' }) });
const states = z.array(z.looseObject({ name: z.string() })).optional();
const httpRequest = z.looseObject({ method: z.string().min(1), path: z.string() });
const httpResponse = z.looseObject({ status: z.number().int().min(100).max(599) });

const httpInteraction = z.looseObject({
  description: z.string(),
  providerState: z.string().optional(),
  providerStates: states,
  request: httpRequest,
  response: httpResponse,
});
const asyncMessage = z.looseObject({ description: z.string(), providerStates: states });
const syncMessage = z.looseObject({
  description: z.string(),
  providerStates: states,
  request: z.looseObject({}),
  response: z.array(z.looseObject({})),
});

/** V4 interaction types and the shape each must have. */
const V4_TYPES = {
  'Synchronous/HTTP': httpInteraction,
  'Asynchronous/Messages': asyncMessage,
  'Synchronous/Messages': syncMessage,
} as const;

/** V4 interaction types that are messages. */
export const MESSAGE_INTERACTION_TYPES: ReadonlySet<string> = new Set([
  'Asynchronous/Messages',
  'Synchronous/Messages',
]);

const v4Interaction = z.looseObject({ type: z.string() }).superRefine((value, ctx) => {
  const schema = V4_TYPES[value.type as keyof typeof V4_TYPES];
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `unknown interaction type "${value.type}" (expected ${Object.keys(V4_TYPES).join(', ')})`,
    });
    return;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
});

const v4Pact = z.looseObject({ consumer: named, provider: named, interactions: z.array(v4Interaction) });

const v3Pact = z
  .looseObject({
    consumer: named,
    provider: named,
    interactions: z.array(httpInteraction).optional(),
    messages: z.array(asyncMessage).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.interactions === undefined && value.messages === undefined) {
      ctx.addIssue({ code: 'custom', path: ['interactions'], message: 'expected an array of interactions' });
    }
  });

/**
 * The pact specification version a document declares
 * (`metadata.pactSpecification.version`); when absent, `4.0` if its
 * interactions are typed, else `3.0.0`.
 */
export function pactSpecVersion(doc: Record<string, unknown>): string {
  const meta = (doc.metadata ?? {}) as Record<string, { version?: unknown } | undefined>;
  const v = meta.pactSpecification?.version ?? meta['pact-specification']?.version;
  if (typeof v === 'string') return v;
  const typed = Array.isArray(doc.interactions) && doc.interactions.some((i) => typeof i?.type === 'string');
  return typed ? '4.0' : '3.0.0';
}

/**
 * The schema a pact document must match, chosen by its declared specification
 * version; undefined for a version msa-verify does not know (5 and up).
 */
export function pactSchemaFor(version: string): z.ZodType | undefined {
  const major = Number.parseInt(version, 10);
  if (major === 4) return v4Pact;
  if (major >= 1 && major <= 3) return v3Pact;
  return undefined;
}
