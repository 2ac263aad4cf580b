import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractsRunResult } from '../../src/core/results.js';
import { runCli } from '../support/cli.js';

// `contracts verify` with `shards`: a generated pact of 12 HTTP interactions
// against a real provider on 127.0.0.1, verified in one verifier and in 3
// worker processes; the verdicts must be the same, including a broken
// interaction in the last shard and a failing state handler. The state
// handler writes its process id to a file, which proves the shards ran in
// separate processes.

const COUNT = 12;
let dir: string;
let url: string;
/** Interaction whose response the provider breaks (-1: none). */
let broken = -1;
/** Milliseconds the provider waits before answering. */
let delayMs = 0;
const server = http.createServer((req, res) => {
  const n = Number(/^\/items\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  setTimeout(() => {
    res.writeHead(n >= 0 ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(n === broken ? { id: String(n) } : { id: n, name: `item-${n}` }));
  }, delayMs);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(os.tmpdir(), 'msav-shards-e2e-'));
  await mkdir(path.join(dir, 'pacts'));
  const interactions = Array.from({ length: COUNT }, (_, n) => ({
    type: 'Synchronous/HTTP',
    description: `get item ${n}`,
    providerStates: [{ name: 'item exists', params: { n } }],
    request: { method: 'GET', path: `/items/${n}` },
    response: {
      status: 200,
      headers: { 'content-type': ['application/json'] },
      body: { contentType: 'application/json', encoded: false, content: { id: n, name: `item-${n}` } },
    },
  }));
  await writeFile(
    path.join(dir, 'pacts', 'shop-items.json'),
    JSON.stringify({
      consumer: { name: 'shop' },
      provider: { name: 'items' },
      interactions,
      metadata: { pactSpecification: { version: '4.0' } },
    }),
  );
  // The handler records which process ran it, and fails for the item named by FAIL_STATE_OF.
  await writeFile(
    path.join(dir, 'provider.mjs'),
    `import { appendFileSync } from 'node:fs';
export const stateHandlers = {
  'item exists': async ({ n }) => {
    appendFileSync(process.env.PID_FILE, process.pid + '\\n');
    if (String(n) === process.env.FAIL_STATE_OF) throw new Error('item store is read-only');
  },
};
`,
  );
});

afterAll(() => {
  server.close();
});

async function writeConfig(name: string, provider: string, contracts = ''): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    `version: 1\ncontracts:\n  pactDir: pacts\n${contracts}  providers:\n    items:\n      url: ${url}\n${provider}`,
  );
  return file;
}

/** Runs `contracts verify --json` with `shards`; returns the exit code, the result and the processes the handler ran in. */
async function verify(shards: string, env: NodeJS.ProcessEnv = {}) {
  const config = await writeConfig(`shards-${shards}.yaml`, `      module: provider.mjs\n      shards: ${shards}\n`);
  const pidFile = path.join(dir, `pids-${shards}-${Date.now()}.txt`);
  await writeFile(pidFile, '');
  const junit = path.join(dir, `junit-${shards}.xml`);
  const r = await runCli(['contracts', 'verify', '--config', config, '--json', '--junit', junit], {
    cwd: dir,
    env: { PID_FILE: pidFile, ...env },
    timeoutMs: 90_000,
  });
  const pids = new Set((await readFile(pidFile, 'utf8')).split('\n').filter(Boolean));
  let result: ContractsRunResult | undefined;
  try {
    result = JSON.parse(r.stdout) as ContractsRunResult;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, result, pids, junit: await readFile(junit, 'utf8'), stderr: r.stderr };
}

// Pact's core lists the mismatches of one body in no fixed order: compare them as a set.
const verdicts = (r: ContractsRunResult) =>
  r.pairs.flatMap((p) =>
    p.interactions.map((i) => [
      p.consumer,
      i.description,
      i.passed,
      i.mismatches
        .map((m) => m.path)
        .sort()
        .join(','),
    ]),
  );

describe('contracts verify in shards', () => {
  it('passes every interaction in 3 worker processes, as in one verifier', async () => {
    broken = -1;
    const one = await verify('1');
    const three = await verify('3');
    expect(one.code).toBe(0);
    expect(three.code).toBe(0);
    expect(one.pids.size).toBe(1);
    expect(three.pids.size).toBe(3);
    expect(verdicts(three.result)).toEqual(verdicts(one.result));
    expect(three.result.pairs[0]?.interactions).toHaveLength(COUNT);
    expect(verdicts(three.result).every((v) => v[2] === true)).toBe(true);
  });

  it('fails a broken interaction in the last shard (exit 1), named, with the same verdicts and JUnit as unsharded', async () => {
    broken = 11;
    try {
      const one = await verify('1');
      const three = await verify('3');
      expect(three.code).toBe(1);
      expect(one.code).toBe(1);
      expect(three.pids.size).toBe(3);
      expect(verdicts(three.result)).toEqual(verdicts(one.result));
      const failed = three.result.pairs[0]?.interactions.filter((i) => !i.passed) ?? [];
      expect(failed.map((i) => i.description)).toEqual(['get item 11']);
      expect(failed[0]?.mismatches.map((m) => m.path)).toContain('body.id');
      expect(three.junit).toMatch(/failures="1"/);
      expect(three.junit).toContain('get item 11');
      expect(three.junit.match(/<testcase /g)).toHaveLength(COUNT);
    } finally {
      broken = -1;
    }
  });

  it('fails the interaction whose state handler throws, in its shard, as unsharded', async () => {
    const one = await verify('1', { FAIL_STATE_OF: '5' });
    const three = await verify('3', { FAIL_STATE_OF: '5' });
    expect(one.code).toBe(1);
    expect(three.code).toBe(1);
    expect(verdicts(three.result)).toEqual(verdicts(one.result));
    const failed = three.result.pairs[0]?.interactions.filter((i) => !i.passed) ?? [];
    expect(failed.map((i) => i.description)).toEqual(['get item 5']);
    expect(failed[0]?.mismatches[0]?.message).toBe(
      'state handler for "item exists" failed on setup: item store is read-only',
    );
  });

  it('exits 2 naming the field for a bad shards value, a bad verifyTimeout, and shards with a module that starts the provider', async () => {
    const badShards = await writeConfig('bad-shards.yaml', '      shards: 0\n');
    let r = await runCli(['contracts', 'verify', '--config', badShards], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contracts\.providers\.items\.shards.*auto or a whole number of workers from 1 to 64/);
    const badTimeout = await writeConfig('bad-timeout.yaml', '', '  verifyTimeout: soon\n');
    r = await runCli(['contracts', 'verify', '--config', badTimeout], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contracts\.verifyTimeout.*expected auto or a duration/);
    await writeFile(
      path.join(dir, 'starts.mjs'),
      `export const setup = async () => ({});\nexport const stateHandlers = { 'item exists': async () => undefined };\n`,
    );
    const startsProvider = await writeConfig('starts.yaml', '      module: starts.mjs\n      shards: 3\n');
    r = await runCli(['contracts', 'verify', '--config', startsProvider], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/contracts\.providers\.items\.shards: with shards, the state handlers/);
  });

  it('stops a verification that outlives contracts.verifyTimeout (exit 3, naming the bound)', async () => {
    delayMs = 1500;
    try {
      const config = await writeConfig(
        'slow.yaml',
        '      statesWithoutSetup: [item exists]\n',
        '  verifyTimeout: 2s\n',
      );
      const r = await runCli(['contracts', 'verify', '--config', config], { cwd: dir, timeoutMs: 60_000 });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/verification stopped after 2 s \(contracts\.verifyTimeout\)/);
    } finally {
      delayMs = 0;
    }
  });
});
