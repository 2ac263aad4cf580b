import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ROOT } from '../support/services.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('msa-verify dashboards build', () => {
  it('writes the same JSON as committed in dashboards/', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-dash-'));
    dirs.push(dir);
    const r = await runCli(['dashboards', 'build', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${path.join(dir, 'chaos.json')}`);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['chaos.json', 'contracts.json', 'overview.json', 'services.json']);
    for (const f of files) {
      expect(await readFile(path.join(dir, f), 'utf8'), f).toBe(
        await readFile(path.join(ROOT, 'dashboards', f), 'utf8'),
      );
    }
  });

  it('without a subcommand is a usage error', async () => {
    const r = await runCli(['dashboards']);
    expect(r.code).toBe(2);
  });
});
