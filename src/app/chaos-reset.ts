import path from 'node:path';
import { MsaVerifyError } from '../core/errors.js';

/** Options for {@link chaosReset}. */
export interface ChaosResetOptions {
  readonly config?: string;
  readonly cwd?: string;
  /**
   * Also clean the whole Toxiproxy: delete every `msav-` proxy, and remove the
   * toxics of (and re-enable) proxies that are not msa-verify's; the latter
   * only with `yes`.
   */
  readonly all?: boolean;
  /** Confirms that `all` may change proxies that are not msa-verify's. Default false. */
  readonly yes?: boolean;
  /** Toxiproxy for `--all`; default `toxiproxy.url` of the config. */
  readonly url?: string;
}

/** A toxic on a proxy that is not msa-verify's. */
export interface ForeignToxic {
  readonly proxy: string;
  readonly name: string;
  readonly type: string;
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
  /** `msav-` proxies deleted by `all`. */
  readonly deleted: readonly string[];
  /** Toxics removed by `all` from proxies that are not msa-verify's. */
  readonly removedToxics: readonly ForeignToxic[];
  /** Proxies that are not msa-verify's, re-enabled by `all`. */
  readonly enabled: readonly string[];
  /**
   * Containers msa-verify started (label `msa-verify.managed`) that were left:
   * those whose starting process is gone, and with `all` every one. Empty when no
   * Docker engine answers (`DOCKER_HOST`, else /var/run/docker.sock).
   */
  readonly containers: readonly { id: string; image: string; role: string; pid: number; removed: boolean }[];
}

/** Most items a refusal names; the rest are counted. */
const MAX_LISTED = 20;

/**
 * Undoes everything the journals know about, live runs included. With `all`,
 * it first lists the whole Toxiproxy: every `msav-` proxy is deleted, and the
 * toxics of proxies that are not msa-verify's are removed and disabled ones
 * enabled, which needs `yes`: without it nothing at all is changed.
 * @throws MsaVerifyError `MSAV_USAGE` (exit 2) naming what `all` would change
 *   when that touches proxies that are not msa-verify's and `yes` is not set.
 */
export async function chaosReset(options: ChaosResetOptions = {}): Promise<ChaosResetResult> {
  const cwd = options.cwd ?? process.cwd();
  const chaos = await import('../chaos/index.js');
  const settings = await chaos.loadChaosSettings({ cwd, ...(options.config ? { config: options.config } : {}) });
  let all: { client: InstanceType<typeof chaos.ToxiproxyClient>; plan: ResetPlan } | undefined;
  if (options.all) {
    const url = options.url ?? settings.config?.toxiproxy?.url;
    if (!url) throw new MsaVerifyError('MSAV_USAGE', 'chaos reset --all needs --url or toxiproxy.url in the config');
    const client = new chaos.ToxiproxyClient(url);
    const proxies = await client.listProxies();
    const foreign = proxies.filter((p) => !p.name.startsWith(chaos.NAME_PREFIX));
    const plan: ResetPlan = {
      toxics: foreign.flatMap((p) => p.toxics.map((t) => ({ proxy: p.name, name: t.name, type: t.type }))),
      enable: foreign.filter((p) => !p.enabled).map((p) => p.name),
      delete: proxies.filter((p) => p.name.startsWith(chaos.NAME_PREFIX)).map((p) => p.name),
    };
    if (!options.yes && (plan.toxics.length > 0 || plan.enable.length > 0)) {
      throw new MsaVerifyError('MSAV_USAGE', refusal(client.url, plan));
    }
    all = { client, plan };
  }
  const cleaned = await chaos.cleanLeftovers(path.resolve(settings.baseDir, settings.chaos.journalDir), { all: true });
  const runs = cleaned.map((c) => ({
    runId: c.runId,
    scenario: c.scenario,
    toxiproxyUrl: c.toxiproxyUrl,
    ok: c.outcome.ok,
    notes: c.outcome.notes,
  }));
  const containers = await removeContainers(Boolean(options.all));
  const deleted: string[] = [];
  const removedToxics: ForeignToxic[] = [];
  const enabled: string[] = [];
  if (all) {
    const { client, plan } = all;
    for (const t of plan.toxics) {
      await client.removeToxic(t.proxy, t.name);
      removedToxics.push(t);
    }
    for (const p of plan.enable) {
      await client.setEnabled(p, true);
      enabled.push(p);
    }
    for (const p of plan.delete) {
      await client.deleteProxy(p);
      deleted.push(p);
    }
  }
  return {
    ok: runs.every((r) => r.ok) && containers.every((c) => c.removed),
    runs,
    deleted,
    removedToxics,
    enabled,
    containers,
  };
}

async function removeContainers(all: boolean): Promise<ChaosResetResult['containers']> {
  const containers = await import('../containers/index.js');
  if (!(await containers.probeEngine()).ok) return [];
  return containers.removeLeftoverContainers(containers.engineAddress(), { all });
}

/** What `--all` will change on a Toxiproxy. */
interface ResetPlan {
  readonly toxics: readonly ForeignToxic[];
  readonly enable: readonly string[];
  readonly delete: readonly string[];
}

function refusal(url: string, plan: ResetPlan): string {
  const items = [
    ...plan.toxics.map((t) => `remove toxic "${t.name}" (${t.type}) from proxy "${t.proxy}"`),
    ...plan.enable.map((p) => `enable proxy "${p}"`),
    ...plan.delete.map((p) => `delete proxy "${p}"`),
  ];
  const listed = items.slice(0, MAX_LISTED).join('; ');
  const more = items.length > MAX_LISTED ? `; and ${items.length - MAX_LISTED} more` : '';
  return (
    `chaos reset --all would change proxies that are not msa-verify's on ${url}: ${listed}${more}. ` +
    'Nothing was changed: add --yes to confirm.'
  );
}
