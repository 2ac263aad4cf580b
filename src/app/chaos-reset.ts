import path from 'node:path';
import { MsaVerifyError } from '../core/errors.js';

/** Options for {@link chaosReset}. */
export interface ChaosResetOptions {
  readonly config?: string;
  readonly cwd?: string;
  /** Also reset the whole Toxiproxy (`POST /reset`) and delete every `msav-` proxy on it. */
  readonly all?: boolean;
  /** Toxiproxy for `--all`; default `toxiproxy.url` of the config. */
  readonly url?: string;
}

/** Outcome of {@link chaosReset}. */
export interface ChaosResetResult {
  readonly ok: boolean;
  readonly runs: readonly {
    runId: string;
    scenario: string;
    toxiproxyUrl: string;
    ok: boolean;
    notes: readonly string[];
  }[];
  /** Proxies deleted by `--all`. */
  readonly deleted: readonly string[];
}

/**
 * Undoes everything the journals know about, live runs included; with `all`,
 * resets the whole Toxiproxy too (the only wholesale reset msa-verify does).
 */
export async function chaosReset(options: ChaosResetOptions = {}): Promise<ChaosResetResult> {
  const cwd = options.cwd ?? process.cwd();
  const chaos = await import('../chaos/index.js');
  const settings = await chaos.loadChaosSettings({ cwd, ...(options.config ? { config: options.config } : {}) });
  const cleaned = await chaos.cleanLeftovers(path.resolve(settings.baseDir, settings.chaos.journalDir), { all: true });
  const runs = cleaned.map((c) => ({
    runId: c.runId,
    scenario: c.scenario,
    toxiproxyUrl: c.toxiproxyUrl,
    ok: c.outcome.ok,
    notes: c.outcome.notes,
  }));
  const deleted: string[] = [];
  if (options.all) {
    const url = options.url ?? settings.config?.toxiproxy?.url;
    if (!url) throw new MsaVerifyError('MSAV_USAGE', 'chaos reset --all needs --url or toxiproxy.url in the config');
    const client = new chaos.ToxiproxyClient(url);
    await client.reset();
    for (const p of await client.listProxies()) {
      if (!p.name.startsWith(chaos.NAME_PREFIX)) continue;
      await client.deleteProxy(p.name);
      deleted.push(p.name);
    }
  }
  return { ok: runs.every((r) => r.ok), runs, deleted };
}
