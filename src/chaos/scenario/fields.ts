import { z } from 'zod';
import { durationField } from '../../core/config/fields.js';

// Field schemas shared by the scenario schema. Values may come from `${VAR}`
// interpolation, which always yields strings, so numbers accept numeric strings.

const NUMERIC = /^-?\d+(\.\d+)?$/;

function numeric<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : v), inner);
}

/** A non-negative integer (also written as a numeric string). */
export const countField = numeric(z.number().int().min(0));

/** A boolean (also written as the string `true` or `false`). */
export const flagField = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/** A strictly positive number (also written as a numeric string). */
export const positiveField = numeric(z.number().positive());

/** Probability in [0, 1]. */
export const ratioField = numeric(z.number().min(0).max(1));

/** A duration string such as `250ms` or `5s`; negative values do not match. */
export { durationField };

/** `host:port` of a TCP endpoint. */
export const hostPortField = z
  .string()
  .regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, { message: 'expected host:port, e.g. 127.0.0.1:8082' });

/** `host:port`, or a URL whose host and port are taken (so `${SHOP_PRODUCTS_URL}` can be reused). */
export const upstreamField = z.preprocess((v) => {
  if (typeof v !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return v;
  try {
    const u = new URL(v);
    const port =
      u.port ||
      ({ 'http:': '80', 'https:': '443', 'amqp:': '5672', 'amqps:': '5671' } as Record<string, string>)[u.protocol];
    return port ? `${u.hostname}:${port}` : v;
  } catch {
    return v;
  }
}, hostPortField);

/** Name of a proxy or phase: lower-case letters, digits, dashes. */
export const shortNameField = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: 'expected a lower-case name of letters, digits and dashes (max 40)' });
