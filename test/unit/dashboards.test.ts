import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildDashboards,
  dashboardQueries,
  dashboardVariables,
  findDashboardDrift,
  metricNames,
  parseLabelValues,
  renderDashboardJson,
  substituteVariables,
  unprovisionedDatasources,
} from '../../src/dashboards/index.js';
import { ROOT } from '../support/services.js';

type Json = Record<string, unknown>;
const dashboards = Object.entries(buildDashboards()) as unknown as [string, Json][];
const tmpDirs: string[] = [];
afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

async function provisionedUids(): Promise<Set<string>> {
  const text = await readFile(path.join(ROOT, 'grafana/provisioning/datasources/datasources.yaml'), 'utf8');
  const doc = parse(text) as { datasources: { uid: string }[] };
  return new Set(doc.datasources.map((d) => d.uid));
}

describe('committed dashboards/*.json', () => {
  it('match what src/dashboards builds (run `msa-verify dashboards build` after changing the code)', async () => {
    expect(await findDashboardDrift(path.join(ROOT, 'dashboards'))).toEqual([]);
  });

  it('drift is detected when a committed file is edited by hand or missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-dash-'));
    tmpDirs.push(dir);
    await cp(path.join(ROOT, 'dashboards'), dir, { recursive: true });
    const file = path.join(dir, 'chaos.json');
    const edited = (await readFile(file, 'utf8')).replace('"refresh": "10s"', '"refresh": "5s"');
    await writeFile(file, edited);
    await rm(path.join(dir, 'services.json'));
    expect(await findDashboardDrift(dir)).toEqual([
      { file, reason: 'differs' },
      { file: path.join(dir, 'services.json'), reason: 'missing' },
    ]);
  });

  it('are rendered with sorted keys and a trailing newline', () => {
    expect(renderDashboardJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{\n  "a": {\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });
});

describe('dashboard structure', () => {
  it('has four dashboards with unique uids and panels with unique titles', () => {
    const uids = dashboards.map(([, d]) => d.uid);
    expect(uids).toHaveLength(4);
    expect(new Set(uids).size).toBe(4);
    for (const [, d] of dashboards) {
      const titles = (d.panels as Json[]).map((p) => p.title);
      expect(new Set(titles).size, String(d.uid)).toBe(titles.length);
      expect(titles.length, String(d.uid)).toBeGreaterThan(2);
    }
  });

  it('references only provisioned datasources', async () => {
    const uids = await provisionedUids();
    expect(uids).toEqual(new Set(['msa-verify-prometheus', 'msa-verify-jaeger']));
    for (const [, d] of dashboards) expect(unprovisionedDatasources(d, uids), String(d.uid)).toEqual([]);
  });

  it('reports a datasource that is not provisioned', async () => {
    const [, d] = dashboards[0] as [string, Json];
    const broken = { ...d, panels: [{ title: 'x', datasource: { type: 'prometheus', uid: 'nope' } }] };
    expect(unprovisionedDatasources(broken, await provisionedUids())).toEqual([
      { where: `${String(d.uid)}.panels[0].datasource`, type: 'prometheus', uid: 'nope' },
    ]);
  });

  it('queries only metrics documented in docs/metrics.md', async () => {
    const doc = await readFile(path.join(ROOT, 'docs/metrics.md'), 'utf8');
    const documented = new Set(doc.match(/\bmsa_verify_[a-z0-9_]+/g));
    const used = new Set(dashboards.flatMap(([, d]) => dashboardQueries(d).flatMap((q) => metricNames(q.expr))));
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((m) => !documented.has(m))).toEqual([]);
    expect(metricNames('rate(msa_verify_http_server_duration_seconds_bucket[1m]) + msa_verify_undocumented')).toEqual([
      'msa_verify_http_server_duration_seconds',
      'msa_verify_undocumented',
    ]);
  });

  it('every label_values variable is parseable and every query variable is defined', () => {
    for (const [, d] of dashboards) {
      const vars = dashboardVariables(d);
      const names = new Set(vars.map((v) => v.name));
      for (const v of vars.filter((x) => x.type === 'query')) {
        expect(parseLabelValues(v.query), `${String(d.uid)} ${v.name}`).toBeDefined();
      }
      for (const q of dashboardQueries(d)) {
        for (const [, name] of q.expr.matchAll(/\$(\w+)/g)) {
          if (!name?.startsWith('__')) expect(names.has(name as string), `${q.panel}: $${name}`).toBe(true);
        }
      }
    }
  });
});

describe('grafana/ provisioning and compose file (validated by compose in test/containers, never started here)', () => {
  const load = async (file: string) => parse(await readFile(path.join(ROOT, 'grafana', file), 'utf8')) as Json;

  it('mounts the provisioning and the generated dashboards where the provider looks', async () => {
    const compose = (await load('docker-compose.yaml')) as { services: Record<string, { volumes?: string[] }> };
    const provider = (await load('provisioning/dashboards/msa-verify.yaml')) as {
      providers: { options: { path: string } }[];
    };
    const volumes = compose.services.grafana?.volumes ?? [];
    expect(volumes).toContain('./provisioning:/etc/grafana/provisioning:ro');
    expect(volumes).toContain(`../dashboards:${provider.providers[0]?.options.path}:ro`);
    expect(Object.keys(compose.services).sort()).toEqual([
      'grafana',
      'jaeger',
      'prometheus',
      'pushgateway',
      'toxiproxy',
    ]);
  });

  it('points each datasource at a service of the compose file', async () => {
    const compose = (await load('docker-compose.yaml')) as { services: Record<string, { ports?: string[] }> };
    const ds = (await load('provisioning/datasources/datasources.yaml')) as { datasources: { url: string }[] };
    for (const { url } of ds.datasources) {
      const { hostname, port } = new URL(url);
      const ports = (compose.services[hostname]?.ports ?? []).map((p) => p.split(':')[1]);
      expect(ports, url).toContain(port);
    }
  });
});

describe('query helpers', () => {
  it('substitutes template variables and Grafana built-ins', () => {
    expect(
      substituteVariables('rate(m{job="$job", s=~"${service}"}[$__rate_interval]) $unknown', {
        job: 'j1',
        service: 'a|b',
      }),
    ).toBe('rate(m{job="j1", s=~"a|b"}[1m]) $unknown');
  });

  it('parses label_values with and without a selector, and rejects other forms', () => {
    expect(parseLabelValues('label_values(m{job="$job"}, scenario)')).toEqual({
      match: 'm{job="$job"}',
      label: 'scenario',
    });
    expect(parseLabelValues('label_values(job)')).toEqual({ label: 'job' });
    expect(parseLabelValues('query_result(up)')).toBeUndefined();
  });
});
