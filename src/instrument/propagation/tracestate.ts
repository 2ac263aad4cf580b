// The `tracestate` list of W3C Trace Context Level 2 (§3.3 "Tracestate
// Header"): parsed all-or-nothing, and kept as an immutable ordered list.
// Why not @opentelemetry/core's TraceState: it drops invalid members one by one
// (and keys Level 2 allows, such as one starting with a digit), where Level 2's
// processing discards the whole header.
import type { TraceState } from '@opentelemetry/api';

/** At most 32 list-members (§3.3 "tracestate Header Field Values"). */
const MAX_MEMBERS = 32;
/** Propagate at least 512 characters (§3.3 "tracestate Limits"); longer lists lose whole entries from the end. */
const MAX_LENGTH = 512;
// §3.3 "Key" (Level 2): a lowercase letter or digit, then up to 255 of a-z 0-9 _ - * / @.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// §3.3 "Value": up to 256 printable ASCII characters except "," and "=", not ending in a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * The tracestate of one request (several header fields combined with ","), or
 * undefined when it is absent, empty, or invalid anywhere: a malformed member,
 * a key over 256 characters, a repeated key, or more than 32 members. Empty
 * list-members, which combining fields can produce, are allowed and not counted.
 */
export function parseTracestate(header: string | string[] | undefined): TraceState | undefined {
  const combined = Array.isArray(header) ? header.join(',') : header;
  if (typeof combined !== 'string') return undefined;
  const entries: [string, string][] = [];
  const keys = new Set<string>();
  for (const raw of combined.split(',')) {
    const member = raw.trim();
    if (member.length === 0) continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!KEY.test(key) || !VALUE.test(value) || keys.has(key)) return undefined;
    keys.add(key);
    if (keys.size > MAX_MEMBERS) return undefined;
    entries.push([key, value]);
  }
  return entries.length > 0 ? new ListTraceState(truncated(entries)) : undefined;
}

/** An immutable tracestate list, leftmost entry first. */
export class ListTraceState implements TraceState {
  readonly #entries: readonly (readonly [string, string])[];

  constructor(entries: readonly (readonly [string, string])[]) {
    this.#entries = entries;
  }

  /** Sets `key` and moves it to the left (§3.5 "Mutating the tracestate Field"); an invalid pair is ignored. */
  set(key: string, value: string): TraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.#entries.filter(([k]) => k !== key);
    return new ListTraceState(truncated([[key, value] as const, ...rest].slice(0, MAX_MEMBERS)));
  }

  unset(key: string): TraceState {
    return this.#entries.some(([k]) => k === key) ? new ListTraceState(this.#entries.filter(([k]) => k !== key)) : this;
  }

  get(key: string): string | undefined {
    return this.#entries.find(([k]) => k === key)?.[1];
  }

  serialize(): string {
    return this.#entries.map(([k, v]) => `${k}=${v}`).join(',');
  }
}

/** Drops whole entries from the end until the serialized list fits {@link MAX_LENGTH}. */
function truncated<T extends readonly [string, string]>(entries: T[]): T[] {
  let length = entries.reduce((n, [k, v]) => n + k.length + v.length + 2, -1);
  while (length > MAX_LENGTH && entries.length > 0) {
    const [k, v] = entries.pop()!;
    length -= k.length + v.length + 2;
  }
  return entries;
}
