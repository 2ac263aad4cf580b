// k6 adapter: runs a user's k6 script instead of the built-in generator when k6
// is on PATH, and turns its JSON output (`--out json=FILE`) into RequestSamples
// so the same expectations judge it.
//   http_req_duration points -> one sample per request (time = end, value = duration)
//   dropped_iterations points -> dropped samples (the arrival-rate executor could not keep up)
// k6's constant-arrival-rate executor is an open model too, but it reports no
// intended send time: intendedAt = startedAt for its samples.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MsaVerifyError } from '../../core/errors.js';
import type { RequestSample } from './types.js';

/** Whether k6 can be run, with its version or the reason it cannot. */
export type K6Availability = { available: true; version: string } | { available: false; reason: string };

const INSTALL_HINT =
  'install k6 (Grafana k6: a Debian/RPM package, Homebrew, or the release binary) or drop the k6 script from the scenario to use the built-in generator';

/** Checks for `k6` (or `k6Path`) on PATH. */
export function k6Available(k6Path = 'k6'): K6Availability {
  const r = spawnSync(k6Path, ['version'], { encoding: 'utf8', timeout: 10_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return { available: false, reason: `k6 is not on PATH: ${INSTALL_HINT}` };
  }
  if (r.status !== 0)
    return { available: false, reason: `\`${k6Path} version\` failed: ${(r.stderr || r.stdout).trim()}` };
  return { available: true, version: r.stdout.trim() };
}

/** Options of {@link runK6}. */
export interface K6RunOptions {
  /** Path of the k6 script. */
  script: string;
  /** Extra environment for the script (e.g. MSAV_TARGET, MSAV_RUN_ID); passed with `-e`. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** k6 binary; default `k6` on PATH. */
  k6Path?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pathOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return undefined;
  }
}

/** Converts k6 JSON output (one object per line) into samples, ordered by start time. */
export function k6PointsToSamples(jsonLines: string): RequestSample[] {
  const out: RequestSample[] = [];
  for (const line of jsonLines.split('\n')) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObj(v) || v.type !== 'Point' || !isObj(v.data)) continue;
    const end = Date.parse(String(v.data.time));
    const value = Number(v.data.value);
    const tags = isObj(v.data.tags) ? v.data.tags : {};
    if (Number.isNaN(end) || Number.isNaN(value)) continue;
    if (v.metric === 'http_req_duration') {
      const status = Number(tags.status ?? 0) || 0;
      const s: RequestSample = {
        seq: 0,
        intendedAt: end - value,
        startedAt: end - value,
        latencyMs: value,
        serviceTimeMs: value,
        status,
        correlationId: typeof tags.correlation_id === 'string' ? tags.correlation_id : '',
      };
      if (status === 0) s.error = typeof tags.error_code === 'string' ? `k6:${tags.error_code}` : 'error';
      if (typeof tags.method === 'string') s.method = tags.method;
      const p = pathOf(tags.url);
      if (p) s.path = p;
      out.push(s);
    } else if (v.metric === 'dropped_iterations') {
      for (let i = 0; i < Math.max(1, value); i++) {
        out.push({
          seq: 0,
          intendedAt: end,
          startedAt: end,
          latencyMs: 0,
          serviceTimeMs: 0,
          status: 0,
          error: 'dropped',
          correlationId: '',
        });
      }
    }
  }
  out.sort((a, b) => a.startedAt - b.startedAt);
  out.forEach((s, i) => {
    s.seq = i;
    if (!s.correlationId) s.correlationId = `k6-${i}`;
  });
  return out;
}

/**
 * Runs `k6 run` on the script and returns its requests as samples. Throws
 * `MSAV_COMPONENT_UNAVAILABLE` when k6 is missing or exits with an error other
 * than failed thresholds (exit 99, which is not ours to judge).
 */
export async function runK6(options: K6RunOptions): Promise<RequestSample[]> {
  const k6 = options.k6Path ?? 'k6';
  const dir = await mkdtemp(path.join(tmpdir(), 'msav-k6-'));
  const out = path.join(dir, 'points.json');
  const args = ['run', '--quiet', '--no-summary', '--out', `json=${out}`];
  for (const [k, v] of Object.entries(options.env ?? {})) args.push('-e', `${k}=${v}`);
  args.push(options.script);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(k6, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      const onAbort = () => child.kill('SIGINT');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e: NodeJS.ErrnoException) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(
          e.code === 'ENOENT'
            ? new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `k6 is not on PATH: ${INSTALL_HINT}`, { cause: e })
            : e,
        );
      });
      child.on('close', (c) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (c === 0 || c === 99 || options.signal?.aborted) resolve();
        else
          reject(
            new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `k6 run ${options.script} exited ${c}: ${stderr.trim()}`),
          );
      });
    });
    return k6PointsToSamples(await readFile(out, 'utf8').catch(() => ''));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
