// grafana/docker-compose.yaml checked by the engine's own compose implementation
// (`docker compose` where the plugin exists, else Debian's `docker-compose`):
// `config` validates the file against the Compose schema and resolves it. What
// this does NOT exercise: pulling or starting its images (no registry is
// reachable here), and Grafana itself (not installable here), so dashboards and
// provisioning are checked only as files (test/unit/dashboards.test.ts).
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/services.js';

const FILE = path.join(ROOT, 'grafana/docker-compose.yaml');

/** The compose command of this machine, or null. */
function composeCommand(): string[] | null {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (r.status === 0) return cmd;
  }
  return null;
}

const compose = composeCommand();
if (!compose) {
  const reason = 'no compose implementation (docker compose or docker-compose; scripts/setup installs docker-compose)';
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must validate grafana/docker-compose.yaml`);
  console.warn(`\n*** compose.test.ts: ${reason}; SKIPPED ***\n`);
}

function config(file: string, ...extra: string[]): { status: number | null; output: string } {
  const [cmd, ...pre] = compose ?? [''];
  const r = spawnSync(cmd!, [...pre, '-f', file, 'config', ...extra], { encoding: 'utf8', cwd: path.dirname(file) });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!compose)(`grafana/docker-compose.yaml (${compose?.join(' ')})`, () => {
  it('is valid and defines the five services', () => {
    const quiet = config(FILE, '-q');
    expect(quiet.status, quiet.output).toBe(0);
    const services = config(FILE, '--services');
    expect(services.output.trim().split('\n').sort()).toEqual([
      'grafana',
      'jaeger',
      'prometheus',
      'pushgateway',
      'toxiproxy',
    ]);
  });

  it('rejects a copy with a misspelt option, naming it (the check can fail)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-compose-'));
    const broken = path.join(dir, 'docker-compose.yaml');
    const text = await readFile(FILE, 'utf8');
    expect(text).toContain('    ports: ["9091:9091"]');
    await writeFile(broken, text.replace('    ports: ["9091:9091"]', '    portz: ["9091:9091"]'));
    await copyFile(path.join(ROOT, 'grafana/prometheus.yml'), path.join(dir, 'prometheus.yml'));
    const r = config(broken, '-q');
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('portz');
  });
});
