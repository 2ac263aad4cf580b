import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/net.js';
import { ROOT } from '../support/services.js';

const fixture = (name: string) => path.join('test/fixtures/config', name);

/** A Node older than the CLI supports, from the system (Debian's Node 20 on the CI machine), if there is one. */
function oldSystemNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const major = Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]']).toString().trim());
      if (major < 22) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}
const oldNode = oldSystemNode();

describe('msa-verify CLI', () => {
  it('--help lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['validate', 'doctor', 'schema']) expect(r.stdout).toContain(`msa-verify ${cmd}`);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    const { version } = JSON.parse(execFileSync('cat', [path.join(ROOT, 'package.json')]).toString());
    expect(r.stdout.trim()).toBe(version);
  });

  // Without a Node older than 22 on this machine there is nothing to run it with; the name says so.
  it.skipIf(!oldNode)(
    `on an unsupported Node (${oldNode ?? 'none found'}): one line naming the version needed, exit 3`,
    () => {
      for (const args of [['--help'], ['validate'], ['chaos', 'run', 'chaos/products-slow.yaml']]) {
        const r = spawnSync(oldNode!, [path.join(ROOT, 'dist/cli/main.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(3);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(
          /^msa-verify: Node\.js 22 or newer is needed; this is Node\.js \d+\.\d+\.\d+ \(.+\)\n$/,
        );
      }
    },
  );

  it('an unknown command is a usage error (exit 2)', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown');
  });

  it('validate accepts the repository config', async () => {
    const r = await runCli(['validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok  msa-verify.config.yaml');
  });

  it.each([
    [
      'wrong-type.yaml',
      /wrong-type\.yaml:4:10 {2}services\.orders\.url {2}expected an http\(s\) URL or \{ discovery: \{ etcd: \{ url \}, key \} \}/,
    ],
    ['unknown-key.yaml', /unknown-key\.yaml:5:5 {2}services\.orders\.retries {2}unknown key "retries"/],
    ['syntax-error.yaml', /syntax-error\.yaml:\d+:\d+ {2}\(document\) {2}YAML syntax error/],
  ])('validate rejects %s with file:line:column, exit 2', async (name, pattern) => {
    const r = await runCli(['validate', '--config', fixture(name)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });

  it('validate --json gives machine-readable problems', async () => {
    const r = await runCli(['validate', '--json', '--config', fixture('wrong-type.yaml')]);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { ok: boolean; files: { problems: { path: string; line: number }[] }[] };
    expect(body.ok).toBe(false);
    expect(body.files[0]?.problems[0]).toMatchObject({ path: 'services.orders.url', line: 4 });
  });

  it('doctor passes when the components the config needs are up', async () => {
    const r = await runCli(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const name of ['Toxiproxy API', 'RabbitMQ', 'Prometheus', 'Pushgateway', 'Jaeger']) {
      expect(r.stdout).toMatch(new RegExp(`^ok +${name}`, 'm'));
    }
    expect(r.stdout).toContain('Docker engine');
    expect(r.stdout).toContain('Pact core library');
  });

  it('doctor exits 3 once the Toxiproxy the config names is stopped', async () => {
    // A second, real Toxiproxy server that this test starts and then stops.
    const port = await freePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-doctor-'));
    const configFile = path.join(dir, 'msa-verify.config.yaml');
    await writeFile(configFile, `version: 1\ntoxiproxy:\n  url: http://127.0.0.1:${port}\n`);
    const server = spawn(
      path.join(ROOT, '.tools/bin/toxiproxy-server'),
      ['-host', '127.0.0.1', '-port', String(port)],
      {
        stdio: 'ignore',
      },
    );
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/version`)).ok);
      const up = await runCli(['doctor', '--config', configFile]);
      expect(up.code, up.stdout).toBe(0);
      expect(up.stdout).toMatch(/^ok +Toxiproxy API/m);
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    const down = await runCli(['doctor', '--config', configFile]);
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/^FAIL Toxiproxy API .*ECONNREFUSED/m);
    expect(down.stderr).toContain('a component the config needs is unavailable');
  });
});

describe('--json [FILE]', () => {
  it('bare --json before the command prints JSON on stdout', async () => {
    const r = await runCli(['--json', 'validate']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
  });

  it('--json FILE writes the JSON to the file and keeps the human output', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-json-'));
    const file = path.join(dir, 'doctor.json');
    const r = await runCli(['doctor', '--json', file]);
    expect(r.stdout).toMatch(/Toxiproxy API/);
    const body = JSON.parse(await readFile(file, 'utf8')) as { components: unknown[] };
    expect(body.components.length).toBeGreaterThan(5);
  });

  it('never takes an existing input file for the JSON output', async () => {
    const scenario = path.join(ROOT, 'chaos/products-slow.yaml');
    const before = await readFile(scenario, 'utf8');
    const r = await runCli(['validate', '--json', 'chaos/products-slow.yaml']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    expect(await readFile(scenario, 'utf8')).toBe(before);
  });
});
