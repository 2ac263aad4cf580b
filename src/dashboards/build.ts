import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { chaosDashboard } from './chaos.js';
import { contractsDashboard } from './contracts.js';
import { overviewDashboard } from './overview.js';
import { servicesDashboard } from './services.js';

/** Every dashboard by its file name in `dashboards/`. */
export function buildDashboards(): Record<string, dashboard.Dashboard> {
  return {
    'overview.json': overviewDashboard(),
    'contracts.json': contractsDashboard(),
    'chaos.json': chaosDashboard(),
    'services.json': servicesDashboard(),
  };
}

/** JSON with object keys sorted at every level, 2-space indent and a trailing newline. */
export function renderDashboardJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Writes every dashboard into `outDir` (default `dashboards`); returns the files written. */
export async function writeDashboards(outDir = 'dashboards'): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, d] of Object.entries(buildDashboards())) {
    const file = path.join(outDir, name);
    await writeFile(file, renderDashboardJson(d));
    files.push(file);
  }
  return files;
}

/** A dashboard file whose content differs from what the code builds. */
export interface DashboardDrift {
  readonly file: string;
  readonly reason: 'missing' | 'differs';
}

/** Compares the files in `dir` with what the code builds; empty when they agree. */
export async function findDashboardDrift(dir = 'dashboards'): Promise<DashboardDrift[]> {
  const drift: DashboardDrift[] = [];
  for (const [name, d] of Object.entries(buildDashboards())) {
    const file = path.join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      drift.push({ file, reason: 'missing' });
      continue;
    }
    if (text !== renderDashboardJson(d)) drift.push({ file, reason: 'differs' });
  }
  return drift;
}
