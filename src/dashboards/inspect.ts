// Reads what Grafana would run from dashboard JSON: the PromQL of every panel
// target and annotation, every variable query, and every datasource reference.
// Used by the structural checks and the "no empty panel" test.

/** One PromQL query a dashboard runs. */
export interface DashboardQuery {
  readonly dashboard: string;
  /** Panel title, or `annotation: <name>`. */
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** Instant query (stats, tables) rather than a range query (graphs). */
  readonly instant: boolean;
}

/** A template variable with its raw query. */
export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query: string;
  /** Default value (`current.value`), if any. */
  readonly current?: string;
}

type Json = Record<string, unknown>;

const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function allPanels(d: Json): Json[] {
  return asArray(d.panels).flatMap((p) => [p, ...asArray(p.panels)]);
}

/** Every PromQL query of the dashboard's panels and annotations. */
export function dashboardQueries(dashboard: object): DashboardQuery[] {
  const d = dashboard as Json;
  const uid = String(d.uid);
  const out: DashboardQuery[] = [];
  for (const p of allPanels(d)) {
    for (const t of asArray(p.targets)) {
      if (typeof t.expr !== 'string') continue;
      out.push({
        dashboard: uid,
        panel: String(p.title),
        refId: String(t.refId),
        expr: t.expr,
        instant: t.instant === true,
      });
    }
  }
  for (const a of asArray((d.annotations as Json | undefined)?.list)) {
    if (typeof a.expr === 'string') {
      out.push({ dashboard: uid, panel: `annotation: ${String(a.name)}`, refId: 'A', expr: a.expr, instant: false });
    }
  }
  return out;
}

/** The dashboard's template variables. */
export function dashboardVariables(dashboard: object): DashboardVariable[] {
  const d = dashboard as Json;
  return asArray((d.templating as Json | undefined)?.list).map((v) => {
    const q = v.query;
    const query = typeof q === 'string' ? q : typeof (q as Json)?.query === 'string' ? String((q as Json).query) : '';
    const current = (v.current as Json | undefined)?.value;
    return {
      name: String(v.name),
      type: String(v.type),
      query,
      ...(typeof current === 'string' ? { current } : {}),
    };
  });
}

/** Every datasource reference `{type, uid}` anywhere in the dashboard, with where it was found. */
export function datasourceRefs(dashboard: object): { where: string; type?: string; uid?: string }[] {
  const d = dashboard as Json;
  const out: { where: string; type?: string; uid?: string }[] = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        walk(n, `${where}[${i}]`);
      });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === 'datasource' && v !== null && typeof v === 'object') {
        const ref = v as Json;
        out.push({
          where: `${where}.datasource`,
          ...(typeof ref.type === 'string' ? { type: ref.type } : {}),
          ...(typeof ref.uid === 'string' ? { uid: ref.uid } : {}),
        });
      } else if (k === 'datasource' && typeof v === 'string') {
        out.push({ where: `${where}.datasource`, uid: v });
      } else {
        walk(v, `${where}.${k}`);
      }
    }
  };
  walk(d, String(d.uid));
  return out;
}

/**
 * Replaces Grafana variables in a query: the given template values, and the
 * built-ins `$__rate_interval`, `$__interval`, `$__range` with fixed windows.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  const builtins: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m' };
  const all = { ...builtins, ...values };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (m, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return name in all ? (all[name] as string) : m;
  });
}

/** Parses Grafana's `label_values(selector, label)` / `label_values(label)` variable query. */
export function parseLabelValues(query: string): { label: string; match?: string } | undefined {
  const m = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  if (!m) return undefined;
  return m[1] ? { match: m[1], label: m[2] as string } : { label: m[2] as string };
}

/** Datasource references whose uid is not among `provisioned` (or that name no uid at all). */
export function unprovisionedDatasources(
  d: object,
  provisioned: ReadonlySet<string>,
): { where: string; type?: string; uid?: string }[] {
  return datasourceRefs(d).filter((ref) => ref.uid === undefined || !provisioned.has(ref.uid));
}

/** The `msa_verify_*` metric names a query uses, histogram suffixes (`_bucket`, `_count`, `_sum`) removed. */
export function metricNames(expr: string): string[] {
  const names = (expr.match(/\bmsa_verify_[a-z0-9_]+/g) ?? []).map((m) =>
    /_seconds_(bucket|count|sum)$/.test(m) ? m.replace(/_(bucket|count|sum)$/, '') : m,
  );
  return [...new Set(names)];
}
