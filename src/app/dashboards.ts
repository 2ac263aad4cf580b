import path from 'node:path';
import { MsaVerifyError } from '../core/errors.js';

/** Options for {@link buildDashboardFiles}. */
export interface DashboardsBuildOptions {
  /** Output folder; default `dashboards`. */
  readonly out?: string;
  /** Folder a relative `out` is resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** Outcome of {@link buildDashboardFiles}: the files written (relative to `cwd` when `out` is). */
export interface DashboardsBuildResult {
  readonly files: readonly string[];
}

/** Writes the Grafana dashboards built from src/dashboards. */
export async function buildDashboardFiles(options: DashboardsBuildOptions = {}): Promise<DashboardsBuildResult> {
  const out = options.out ?? 'dashboards';
  const { writeDashboards } = await import('../dashboards/build.js');
  let written: string[];
  try {
    written = await writeDashboards(path.resolve(options.cwd ?? process.cwd(), out));
  } catch (cause) {
    throw new MsaVerifyError('MSAV_USAGE', `cannot write the dashboards to ${out}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return { files: written.map((f) => path.join(out, path.basename(f))) };
}
