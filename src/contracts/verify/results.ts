import type { ContractPairResult, InteractionResult, Mismatch } from '../../core/results.js';

// Converts the Pact verifier's JSON report into msa-verify's result shapes,
// naming each mismatch by where it is: body.<path>, status, headers.<name>,
// metadata.<key>, query.<name>.

/** One mismatch as Pact's verifier reports it (plus msa-verify's own `ProviderStateMismatch`). */
export interface PactMismatch {
  type?: string;
  path?: string;
  key?: string;
  parameter?: string;
  expected?: unknown;
  actual?: unknown;
  mismatch?: string;
  message?: string;
}

/** One interaction of the verifier's report. */
export interface PactInteractionResult {
  consumer?: string;
  provider?: string;
  description?: string;
  providerStates?: string[];
  duration?: string;
  pending?: boolean;
  result?: string;
  mismatch?: { type?: string; message?: string; mismatches?: PactMismatch[] };
}

/** The verifier's JSON report (the part msa-verify reads). */
export interface PactVerifierReport {
  result?: boolean;
  interactionResults?: PactInteractionResult[];
  errors?: unknown[];
  notices?: unknown[];
}

const text = (v: unknown): string | undefined =>
  v === undefined || v === '' ? undefined : typeof v === 'string' ? v : JSON.stringify(v);

/** `$.items[0].price` → `body.items[0].price`; `$` → `body`. */
function bodyPath(p: string | undefined): string {
  if (!p || p === '$') return 'body';
  return `body${p.startsWith('$') ? p.slice(1) : `.${p}`}`;
}

/** `body.items[0]` + `sku` → `body.items[0].sku` (bracketed when not a plain name). */
function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}['${key.replaceAll("'", "\\'")}']`;
}

const MISSING_KEYS = /^Actual map is missing the following keys: (.+)$/;

/**
 * One pact mismatch as {@link Mismatch}es: usually one; a map missing keys
 * gives one per key, each at the key's own path (`body.skuCode`, not `body`).
 */
export function toMismatches(m: PactMismatch): Mismatch[] {
  const missing = m.type === 'BodyMismatch' ? MISSING_KEYS.exec(m.mismatch ?? '') : null;
  if (!missing?.[1]) return [toMismatch(m)];
  let present = '';
  try {
    const keys = JSON.parse(String(m.actual)) as unknown;
    if (Array.isArray(keys)) present = ` (the response has: ${keys.join(', ') || 'no keys'})`;
  } catch {
    // actual is not Pact's key list: say nothing about it
  }
  return missing[1].split(', ').map((key) => ({
    path: childPath(bodyPath(m.path), key),
    expected: `key "${key}"`,
    message: `missing key "${key}"${present}`,
  }));
}

/** One pact mismatch as a {@link Mismatch} (the first, for a map missing several keys see {@link toMismatches}). */
export function toMismatch(m: PactMismatch): Mismatch {
  const message = m.mismatch ?? m.message ?? 'mismatch';
  const base = { expected: text(m.expected), actual: text(m.actual), message };
  switch (m.type) {
    case 'BodyMismatch':
    case 'BodyTypeMismatch':
      return { path: bodyPath(m.path), ...base };
    case 'StatusMismatch':
      return { path: 'status', ...base };
    case 'HeaderMismatch':
      return { path: `headers.${m.key ?? ''}`, ...base };
    case 'MetadataMismatch':
      return { path: `metadata.${m.key ?? ''}`, ...base };
    case 'QueryMismatch':
      return { path: `query.${m.parameter ?? ''}`, ...base };
    case 'MethodMismatch':
      return { path: 'method', ...base };
    case 'PathMismatch':
      return { path: 'path', ...base };
    case 'ProviderStateMismatch':
      return { path: 'providerState', message };
    default:
      return { path: m.path ? bodyPath(m.path) : '', ...base };
  }
}

function durationMs(d: string | undefined): number {
  const m = /^([\d.]+)(ms|s|µs|us|ns)$/.exec(d ?? '');
  if (!m) return 0;
  const v = Number(m[1]);
  return m[2] === 's' ? v * 1000 : m[2] === 'ms' ? v : v / 1000;
}

/** Groups the verifier report into one result per consumer. */
export function toPairResults(
  report: PactVerifierReport,
  provider: string,
  kindOf: (consumer: string) => ContractPairResult['kind'],
  wallMs: number,
): ContractPairResult[] {
  const byConsumer = new Map<string, { interactions: InteractionResult[]; ms: number }>();
  for (const r of report.interactionResults ?? []) {
    const consumer = r.consumer ?? 'unknown';
    const entry = byConsumer.get(consumer) ?? { interactions: [], ms: 0 };
    const mm = r.mismatch;
    const mismatches: Mismatch[] =
      mm === undefined || mm === null
        ? []
        : mm.type === 'mismatches'
          ? (mm.mismatches ?? []).flatMap(toMismatches)
          : [{ path: '', message: mm.message ?? 'verification error' }];
    const passed = mismatches.length === 0 || r.pending === true;
    entry.interactions.push({
      description: r.description ?? '',
      providerStates: r.providerStates ?? [],
      passed,
      mismatches,
    });
    entry.ms += durationMs(r.duration);
    byConsumer.set(consumer, entry);
  }
  const total = [...byConsumer.values()].reduce((s, e) => s + e.ms, 0) || 1;
  return [...byConsumer.entries()].map(([consumer, e]) => ({
    consumer,
    provider,
    kind: kindOf(consumer),
    passed: e.interactions.every((i) => i.passed),
    durationMs: Math.round((wallMs * e.ms) / total),
    interactions: e.interactions,
  }));
}
