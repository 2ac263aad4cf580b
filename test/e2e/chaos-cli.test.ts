// `msa-verify chaos` and scenario validation as a user runs them: exit codes,
// located problems, dry run, limits, unreachable components, reports, push,
// and `chaos reset`. A private Toxiproxy and a tiny HTTP server keep it isolated.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToxiproxyClient } from '../../src/chaos/toxiproxy/client.js';
import { Journal } from '../../src/chaos/toxiproxy/journal.js';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import { newRunId, proxyName } from '../../src/chaos/toxiproxy/run-id.js';
import type { ChaosRunResult } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { ROOT, serviceUrls } from '../support/services.js';

let toxiproxy: ManagedToxiproxy;
let client: ToxiproxyClient;
let server: http.Server;
let upstream: string;
let work: string;

beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  client = new ToxiproxyClient(toxiproxy.url);
  server = http.createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-chaos-cli-'));
});

afterAll(async () => {
  await toxiproxy?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

/** A config using the private Toxiproxy; `chaos` lines go in the chaos section, `top` lines at the top level. */
async function config(chaos = '', top = ''): Promise<string> {
  const file = path.join(work, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(
    file,
    `version: 1\ntoxiproxy: { url: "${toxiproxy.url}" }\n${top}chaos:\n  journalDir: "${path.join(work, 'journal')}"\n${chaos}`,
  );
  return file;
}

/** A short scenario through the private Toxiproxy to the tiny server. */
async function scenario(options: { fault?: string; expect?: string; target?: string } = {}): Promise<string> {
  const listen = `127.0.0.1:${await freePort()}`;
  const file = path.join(work, `s-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(
    file,
    `version: 1
name: cli-check
proxies: [{ name: web, listen: "${listen}", upstream: "${upstream}" }]
load: { target: "${options.target ?? `http://${listen}`}", rate: 20, timeout: 2s, requests: [{ path: / }] }
phases:
  - { name: steady, kind: steady, duration: 500ms, expect: [{ type: error-rate, max: 0 }] }
  - name: slow
    kind: fault
    duration: 1s
    faults: [${options.fault ?? '{ proxy: web, type: latency, latency: 200ms }'}]
    expect: [${options.expect ?? '{ type: latency, p50: 1s }'}]
  - { name: back, kind: recovery, duration: 1s, within: 1s }
`,
  );
  return file;
}

const ours = async (): Promise<string[]> =>
  (await client.listProxies()).map((p) => p.name).filter((n) => n.startsWith('msav-'));

describe('msa-verify validate with scenario files', () => {
  it.each([
    ['unknown-toxic.yaml', /unknown-toxic\.yaml:26:15 {2}phases\.1\.faults\.0\.type {2}unknown fault type "lag"/],
    ['negative-duration.yaml', /negative-duration\.yaml:20:15 {2}phases\.0\.duration {2}expected a duration/],
    ['missing-proxy.yaml', /missing-proxy\.yaml:25:16 {2}phases\.1\.faults\.0\.proxy {2}unknown proxy "payments"/],
    ['yaml-error.yaml', /yaml-error\.yaml:8:\d+ {2}\(document\) {2}YAML syntax error/],
  ])('rejects %s: exit 2 with file:line:column', async (name, pattern) => {
    const r = await runCli(['validate', path.join('test/fixtures/chaos', name)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });

  it('accepts the example scenarios, and checks them when no file is named', async () => {
    const r = await runCli(['validate']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['products-slow', 'products-reset', 'products-down', 'rabbitmq-cut', 'products-keepalive']) {
      expect(r.stdout).toContain(`ok  chaos/${f}.yaml`);
    }
  });

  it('validate refuses addresses outside chaos.allowTargets offline, at the line and column (exit 2)', async () => {
    const s = path.join(work, 'remote-toxiproxy.yaml');
    await writeFile(
      s,
      (await readFile(await scenario(), 'utf8'))
        .replace('name: cli-check\n', 'name: cli-check\ntoxiproxy:\n  url: http://toxiproxy.example:8474\n')
        .replace(/listen: "127\.0\.0\.1:/, 'listen: "0.0.0.0:'),
    );
    const r = await runCli(['validate', s, '--config', await config()]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(
      /remote-toxiproxy\.yaml:4:8 {2}toxiproxy\.url {2}toxiproxy\.example:8474 is not in chaos\.allowTargets \(127\.0\.0\.1:\*, localhost:\*\)\n/,
    );
    expect(r.stderr).toMatch(
      /remote-toxiproxy\.yaml:5:32 {2}proxies\.0\.listen {2}listening on 0\.0\.0\.0:\d+ is not in chaos\.allowTargets \(127\.0\.0\.1:\*, localhost:\*\): it accepts connections from other machines; add it to chaos\.allowTargets to allow that/,
    );
    // The dry run refuses it too, before anything is touched.
    const dry = await runCli(['chaos', 'run', '--dry-run', s, '--config', await config()]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('toxiproxy.example:8474 is not in chaos.allowTargets');
    // A config whose Pushgateway is elsewhere: validate and chaos run refuse it in the config.
    const cfg = await config('', 'pushgateway:\n  url: http://metrics.example:9091\n');
    const v = await runCli(['validate', '--config', cfg]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/:4:8 {2}pushgateway\.url {2}metrics\.example:9091 is not in chaos\.allowTargets/);
    const run = await runCli(['chaos', 'run', '--dry-run', await scenario(), '--config', cfg]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/:4:8 {2}pushgateway\.url {2}metrics\.example:9091 is not in chaos\.allowTargets/);
  });

  it('an alias bomb and an oversized file are exit 2 with a message, not a crash', async () => {
    const bomb = path.join(work, 'bomb.yaml');
    const levels = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg']) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    await writeFile(bomb, `${levels.join('\n')}\n`);
    const r = await runCli(['validate', bomb, '--config', await config()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bomb\.yaml:3:8 {2}\(document\) {2}YAML aliases expand too much \(more than 100 times, e\.g\. an alias bomb\)/,
    );
    expect(r.stderr).not.toContain('unexpected error');
    const big = path.join(work, 'big.yaml');
    await writeFile(big, `version: 1\nname: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    const b = await runCli(['chaos', 'run', '--dry-run', big, '--config', await config()]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/big\.yaml:1:1 {2}\(document\) {2}file too large: \d+ bytes, more than the 1048576 bytes/);
    expect(b.stdout.length + b.stderr.length).toBeLessThan(2000);
  });

  it('chaos run refuses an invalid scenario before touching anything (exit 2)', async () => {
    const r = await runCli(['chaos', 'run', 'test/fixtures/chaos/unknown-toxic.yaml', '--config', await config()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown-toxic\.yaml:26:15/);
    expect(await ours()).toEqual([]);
  });
});

describe('msa-verify chaos run', () => {
  it('--dry-run prints the plan and touches nothing', async () => {
    const cfg = await config();
    const r = await runCli(['chaos', 'run', '--dry-run', await scenario(), '--config', cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/proxy web: listen 127\.0\.0\.1:\d+ -> upstream 127\.0\.0\.1:\d+ \(via tap\)/);
    expect(r.stdout).toMatch(
      /phase slow \[fault\] 500ms\.\.1\.5s\n {4}toxic latency on web \(downstream, toxicity 1\) \{"latency":200,"jitter":0\}/,
    );
    expect(r.stdout).toContain('nothing was touched (dry run)');
    expect(await ours()).toEqual([]);
    expect(existsSync(path.join(work, 'journal'))).toBe(false);
  });

  it('refuses targets outside chaos.allowTargets and scenarios longer than chaos.maxDuration (exit 2)', async () => {
    const s = await scenario();
    // The config's Toxiproxy is allowed (it is an address too); the scenario's load target is not.
    const toxiproxyHost = new URL(toxiproxy.url).host;
    const outside = await runCli([
      'chaos',
      'run',
      s,
      '--config',
      await config(`  allowTargets: ["10.9.9.9:*", "${toxiproxyHost}"]\n`),
    ]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(
      /load\.target {2}127\.0\.0\.1:\d+ is not in chaos\.allowTargets \(10\.9\.9\.9:\*, 127\.0\.0\.1:\d+\)/,
    );
    const long = await runCli(['chaos', 'run', s, '--config', await config('  maxDuration: 2s\n')]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/can take 2\.5s, more than chaos\.maxDuration 2s \[MSAV_DURATION_CAP_EXCEEDED\]/);
    expect(await ours()).toEqual([]);
  });

  it('exits 3 when Toxiproxy does not answer, and when the target does not', async () => {
    const deadPort = await freePort();
    const deadToxi = path.join(work, 'dead-toxi.yaml');
    await writeFile(deadToxi, `version: 1\ntoxiproxy: { url: "http://127.0.0.1:${deadPort}" }\n`);
    const noToxi = await runCli(['chaos', 'run', await scenario(), '--config', deadToxi]);
    expect(noToxi.code).toBe(3);
    expect(noToxi.stderr).toMatch(/Toxiproxy at http:\/\/127\.0\.0\.1:\d+ did not answer GET \/version: ECONNREFUSED/);
    const noTarget = await runCli([
      'chaos',
      'run',
      await scenario({ target: `http://127.0.0.1:${deadPort}` }),
      '--config',
      await config(),
    ]);
    expect(noTarget.code).toBe(3);
    expect(noTarget.stderr).toMatch(
      /load target http:\/\/127\.0\.0\.1:\d+ is unreachable: ECONNREFUSED \[MSAV_TARGET_UNREACHABLE\]/,
    );
    expect(await ours()).toEqual([]);
  });

  it("a k6 load needs k6 on PATH (exit 3) and cannot carry the config's tls/auth (exit 2); nothing touched", async () => {
    const file = await scenario();
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        'requests: [{ path: / }] }',
        'requests: [{ path: / }], k6: { script: load.js } }',
      ),
    );
    const r = await runCli(['chaos', 'run', file, '--config', await config()], {
      env: { PATH: path.dirname(process.execPath) },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/load\.k6: k6 is not on PATH: install k6/);
    expect(await ours()).toEqual([]);
    // Credentials for the target: refused before anything starts (exit 2), whether k6 is there or not.
    const secured = await runCli(
      ['chaos', 'run', file, '--config', await config('', 'auth: { bearer: { env: MSAV_TEST_TOKEN } }\n')],
      { env: { MSAV_TEST_TOKEN: 'not-a-real-token' } },
    );
    expect(secured.code).toBe(2);
    expect(secured.stderr).toMatch(
      /load\.k6 cannot present the config's tls\/auth for http:\/\/127\.0\.0\.1:\d+ \(k6 takes/,
    );
    expect(secured.stderr).not.toContain('not-a-real-token');
    expect(await ours()).toEqual([]);
  });

  it('passes, writes JSON and JUnit, pushes to the Pushgateway, and rolls back', async () => {
    const job = `msav-chaos-test-${newRunId()}`;
    const push = serviceUrls().PUSHGATEWAY_URL;
    const cfg = await config('', `pushgateway: { url: "${push}", job: ${job} }\n`);
    const json = path.join(work, 'ok.json');
    const junit = path.join(work, 'ok.xml');
    const r = await runCli(['chaos', 'run', await scenario(), '--config', cfg, '--json', json, '--junit', junit]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS cli-check .* rolled back/);
    expect(r.stderr).toMatch(/\[cli-check\] slow \(fault\) .* req\/s {2}errors \d+\.\d% {2}p99 \d+ms/);
    const { results } = JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] };
    expect(results[0]).toMatchObject({ kind: 'chaos', scenario: 'cli-check', passed: true, rolledBack: true });
    expect(results[0]?.faults[0]).toMatchObject({ proxy: 'web', type: 'latency' });
    expect(results[0]?.phases.map((p) => p.name)).toEqual(['steady', 'slow', 'back']);
    expect(await readFile(junit, 'utf8')).toContain('<testsuite');
    const metrics = await (await fetch(`${push}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`msa_verify_chaos_scenario_passed\\{[^}]*job="${job}"[^}]*\\} 1`));
    await fetch(`${push}/metrics/job/${job}/kind/chaos/scenario/cli-check`, { method: 'DELETE' });
    expect(await ours()).toEqual([]);
  });

  it('a fail-first phase resets the next connections through the tap, then heals', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const file = path.join(work, 'fail-first.yaml');
    await writeFile(
      file,
      `version: 1
name: fail-first-check
proxies: [{ name: web, listen: "${listen}", upstream: "${upstream}" }]
load: { target: "http://${listen}", rate: 20, timeout: 2s, requests: [{ path: /, headers: { connection: close } }] }
phases:
  - { name: first-fail, kind: fail-first, proxy: web, n: 3, duration: 1s, expect: [{ type: error-rate, max: 20% }] }
  - { name: after, kind: steady, duration: 500ms, expect: [{ type: error-rate, max: 0 }] }
`,
    );
    const json = path.join(work, 'fail-first.json');
    const r = await runCli(['chaos', 'run', file, '--config', await config(), '--json', json]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const { results } = JSON.parse(await readFile(json, 'utf8')) as { results: ChaosRunResult[] };
    expect(results[0]?.phases[0]?.errors).toBe(3);
    expect(results[0]?.faults[0]).toMatchObject({ proxy: 'web', type: 'fail-first', toxic: 'fail-first-3' });
    expect(await ours()).toEqual([]);
  });

  it('a caller that bypasses the proxy fails the run: the fault reached no one (exit 1)', async () => {
    // The load goes straight to the upstream: the latency expectation holds without the fault.
    const r = await runCli([
      'chaos',
      'run',
      await scenario({ target: `http://${upstream}` }),
      '--config',
      await config(),
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/ok {3}latency p50 <= 1s/);
    expect(r.stdout).toMatch(
      /FAIL traffic through proxy web: observed 0 connections, bound >= 1 connection in the run\. no connection went through proxy "web"/,
    );
    expect(await ours()).toEqual([]);
  });

  it('a failed expectation exits 1 with observed vs bound, and still rolls back', async () => {
    const r = await runCli([
      'chaos',
      'run',
      await scenario({ expect: '{ type: latency, p50: 50ms }' }),
      '--config',
      await config(),
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL cli-check .* rolled back, 1 expectation\(s\) failed/);
    expect(r.stdout).toMatch(/FAIL latency p50 <= 50ms: observed \d+(\.\d+)?ms, bound p50 <= 50ms/);
    expect(await ours()).toEqual([]);
  });
});

describe('msa-verify chaos reset', () => {
  it("removes what the journals know about; --all deletes msav- proxies, and other proxies' toxics only with --yes", async () => {
    const journalDir = path.join(work, 'journal');
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    const runId = newRunId();
    const journal = new Journal(journalDir, {
      version: 1,
      runId,
      scenario: 'left-behind',
      pid: dead.pid ?? 0,
      toxiproxyUrl: toxiproxy.url,
      owned: false,
      startedAt: Date.now(),
      proxies: [],
      toxics: [],
    });
    const name = proxyName(runId, 'web');
    await journal.willCreateProxy(name);
    await client.createProxy({ name, listen: `127.0.0.1:${await freePort()}`, upstream });
    const cfg = await config();
    const r = await runCli(['chaos', 'reset', '--config', cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed run ${runId} (left-behind) on ${toxiproxy.url}`);
    expect(await ours()).toEqual([]);

    // An unjournalled msav- proxy and a foreign toxic: only --all touches them.
    const stray = proxyName(newRunId(), 'stray');
    await client.createProxy({ name: stray, listen: `127.0.0.1:${await freePort()}`, upstream });
    await client.addToxic(stray, {
      name: 't',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1 },
    });
    expect((await runCli(['chaos', 'reset', '--config', cfg])).stdout).toContain('nothing to reset');
    expect(await ours()).toEqual([stray]);
    // Only msa-verify's proxies on the Toxiproxy: --all needs no confirmation.
    const all = await runCli(['chaos', 'reset', '--all', '--config', cfg]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`deleted proxy ${stray}`);
    expect(await ours()).toEqual([]);

    // A proxy that is not msa-verify's, with a toxic and disabled: --all lists it and changes nothing without --yes.
    const foreign = `someone-else-${newRunId()}`;
    await client.createProxy({ name: foreign, listen: `127.0.0.1:${await freePort()}`, upstream, enabled: false });
    await client.addToxic(foreign, {
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1 },
    });
    const stray2 = proxyName(newRunId(), 'stray');
    await client.createProxy({ name: stray2, listen: `127.0.0.1:${await freePort()}`, upstream });
    const state = async () => (await client.listProxies()).filter((p) => p.name === foreign || p.name === stray2);
    const before = await state();
    const refused = await runCli(['chaos', 'reset', '--all', '--config', cfg]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `msa-verify: chaos reset --all would change proxies that are not msa-verify's on ${toxiproxy.url}: ` +
        `remove toxic "slow" (latency) from proxy "${foreign}"; enable proxy "${foreign}"; delete proxy "${stray2}". ` +
        'Nothing was changed: add --yes to confirm. [MSAV_USAGE]',
    );
    expect(await state()).toEqual(before);
    const confirmed = await runCli(['chaos', 'reset', '--all', '--yes', '--config', cfg]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain(`removed toxic slow (latency) from proxy ${foreign}`);
    expect(confirmed.stdout).toContain(`enabled proxy ${foreign}`);
    expect(confirmed.stdout).toContain(`deleted proxy ${stray2}`);
    const after = (await client.listProxies()).find((p) => p.name === foreign);
    expect(after).toMatchObject({ enabled: true, toxics: [] });
    expect(await ours()).toEqual([]);
    await client.deleteProxy(foreign);
  });
});
