import { parseDuration } from '../../core/duration.js';
import type { ExpectationVerdict } from '../../core/results.js';
import type { RequestSample } from '../load/types.js';
import type { Scenario } from '../scenario/schema.js';

type EventuallySpec = Extract<Scenario['eventually'][number], { type: 'accepted-visible' }>;

/** Pseudo-phase name under which `eventually` verdicts are reported. */
export const EVENTUALLY_PHASE = 'eventually';

/**
 * `accepted-visible`: every accepted response's id must become visible at the
 * lookup URL (HTTP 200) within the bound. Polls the ids not yet seen, at most
 * 20 at a time, every 250 ms, until all are visible or time is up.
 */
export async function checkEventually(
  spec: EventuallySpec,
  samples: readonly RequestSample[],
  requestPaths: ReadonlyMap<number, string>,
  signal?: AbortSignal,
): Promise<ExpectationVerdict> {
  const withinMs = parseDuration(spec.within);
  const name = spec.name ?? `every accepted request visible within ${spec.within}`;
  const accepted = samples.filter(
    (s) => spec.statuses.includes(s.status) && (!spec.request || requestPaths.get(s.seq) === spec.request),
  );
  const ids = new Set<string>();
  let unreadable = 0;
  for (const s of accepted) {
    const id = readId(s.bodySnippet, spec.idField);
    if (id) ids.add(id);
    else unreadable++;
  }
  const pending = new Set(ids);
  const deadline = Date.now() + withinMs;
  while (pending.size > 0 && Date.now() < deadline && !signal?.aborted) {
    const batch = [...pending].slice(0, 20);
    await Promise.all(
      batch.map(async (id) => {
        try {
          const res = await fetch(spec.url.replace('{id}', encodeURIComponent(id)), {
            signal: AbortSignal.timeout(2000),
          });
          await res.arrayBuffer();
          if (res.status === 200) pending.delete(id);
        } catch {
          // not visible yet, or the service is briefly away: poll again
        }
      }),
    );
    if (pending.size > 0 && batch.every((id) => pending.has(id))) await new Promise((r) => setTimeout(r, 250));
  }
  const missing = pending.size + unreadable;
  const bound = `0 missing within ${spec.within}`;
  const example = [...pending].slice(0, 3).join(', ');
  return {
    type: spec.type,
    name,
    phase: EVENTUALLY_PHASE,
    passed: missing === 0 && accepted.length > 0,
    observed: missing,
    bound,
    unit: 'requests',
    message:
      accepted.length === 0
        ? `no response had status ${spec.statuses.join('/')}, so there was nothing to follow up (bound ${bound})`
        : missing === 0
          ? `all ${ids.size} accepted ids became visible at ${spec.url} within ${spec.within}`
          : `${missing} of ${accepted.length} accepted ids were not visible at ${spec.url} after ${spec.within}` +
            (example ? ` (e.g. ${example})` : '') +
            (unreadable ? `; ${unreadable} response(s) had no readable "${spec.idField}"` : ''),
  };
}

/** The id field of a JSON response body (or found by pattern in a cut-off body); null when absent. */
export function readId(body: string | undefined, field: string): string | null {
  if (!body) return null;
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  } catch {
    const m = new RegExp(`"${field}"\\s*:\\s*"([^"]+)"`).exec(body);
    return m?.[1] ?? null;
  }
}
