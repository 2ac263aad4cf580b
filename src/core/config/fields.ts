import { z } from 'zod';
import { DURATION_PATTERN } from '../duration.js';

/** A duration string such as `250ms`, `5s`, `1m`. Parse with `parseDuration`. */
export const durationField = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), { message: 'expected a duration such as 250ms, 5s or 1m' });

/** An absolute http(s) URL. */
export const httpUrlField = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'expected an http:// or https:// URL' });

/** An AMQP URL. */
export const amqpUrlField = z.string().regex(/^amqps?:\/\/\S+$/, { message: 'expected an amqp:// or amqps:// URL' });

/** A name usable as a label value and file name: lower-case, digits, dashes. */
export const nameField = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, { message: 'expected a lower-case name of letters, digits and dashes' });
