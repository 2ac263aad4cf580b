import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToxiproxyClient } from '../../src/chaos/toxiproxy/client.js';
import { Journal } from '../../src/chaos/toxiproxy/journal.js';
import { cleanLeftovers } from '../../src/chaos/toxiproxy/leftovers.js';
import { type ManagedToxiproxy, startManagedToxiproxy } from '../../src/chaos/toxiproxy/managed.js';
import { newRunId, proxyName } from '../../src/chaos/toxiproxy/run-id.js';
import { ChaosSession } from '../../src/chaos/toxiproxy/session.js';
import { freePort, waitFor } from '../support/net.js';
import { ROOT } from '../support/services.js';

let toxiproxy: ManagedToxiproxy;
let client: ToxiproxyClient;
let journalDir: string;

beforeAll(async () => {
  toxiproxy = await startManagedToxiproxy({ cwd: ROOT });
  client = new ToxiproxyClient(toxiproxy.url);
  journalDir = await mkdtemp(path.join(os.tmpdir(), 'msav-journal-'));
});

afterAll(async () => {
  await toxiproxy?.stop();
});

const names = async (runId: string) =>
  (await client.listProxies()).filter((p) => p.name.includes(runId)).map((p) => p.name);

describe('Toxiproxy lifecycle', () => {
  it('starts a managed Toxiproxy that answers', async () => {
    expect(await client.version()).toBeTruthy();
  });

  it('rolls back its proxies and toxics, and leaves foreign proxies alone', async () => {
    const foreign = `foreign-${newRunId()}`;
    await client.createProxy({ name: foreign, listen: `127.0.0.1:${await freePort()}`, upstream: '127.0.0.1:9' });
    await client.addToxic(foreign, {
      name: 'keep-me',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10 },
    });
    const runId = newRunId();
    const session = await ChaosSession.open({
      runId,
      scenario: 't',
      toxiproxyUrl: toxiproxy.url,
      owned: false,
      journalDir,
      watchdog: false,
    });
    const name = await session.createProxy({
      name: 'products',
      listen: `127.0.0.1:${await freePort()}`,
      upstream: '127.0.0.1:9',
    });
    expect(name).toBe(proxyName(runId, 'products'));
    await session.addToxic(name, `msav-${runId}-fault-0`, {
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100 },
    });
    await session.setEnabled(name, false);
    expect(existsSync(session.journal.file)).toBe(true);
    expect(await names(runId)).toEqual([name]);
    const outcome = await session.rollback();
    expect(outcome).toMatchObject({ ok: true });
    expect(await names(runId)).toEqual([]);
    expect(existsSync(session.journal.file)).toBe(false);
    const kept = (await client.listProxies()).find((p) => p.name === foreign);
    expect(kept?.toxics.map((t) => t.name)).toEqual(['keep-me']);
    await client.deleteProxy(foreign);
  });

  it('waits for a listen address that is busy for a moment, and reports one that stays busy', async () => {
    const port = await freePort();
    const session = await ChaosSession.open({
      runId: newRunId(),
      scenario: 't',
      toxiproxyUrl: toxiproxy.url,
      owned: false,
      journalDir,
      watchdog: false,
    });
    try {
      const briefly = net.createServer();
      await new Promise<void>((resolve, reject) => briefly.once('error', reject).listen(port, '127.0.0.1', resolve));
      const released = sleep(500).then(() => new Promise((resolve) => briefly.close(resolve)));
      const name = await session.createProxy({ name: 'brief', listen: `127.0.0.1:${port}`, upstream: '127.0.0.1:9' });
      await released;
      expect((await client.listProxies()).find((p) => p.name === name)?.listen).toBe(`127.0.0.1:${port}`);

      // Now the first proxy holds the address for as long as the run lasts: the second one is refused.
      const started = Date.now();
      await expect(
        session.createProxy({ name: 'held', listen: `127.0.0.1:${port}`, upstream: '127.0.0.1:9' }),
      ).rejects.toThrow(/refused POST \/proxies: HTTP 500 .*address already in use/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    } finally {
      expect(await session.rollback()).toMatchObject({ ok: true });
    }
  });

  it('the watchdog removes the run within 10 s after kill -9 of the runner', async () => {
    const runId = newRunId();
    const listen = `127.0.0.1:${await freePort()}`;
    const script = `
      import { ChaosSession } from ${JSON.stringify(path.join(ROOT, 'dist/chaos/toxiproxy/session.js'))};
      const s = await ChaosSession.open({ runId: ${JSON.stringify(runId)}, scenario: 't', toxiproxyUrl: ${JSON.stringify(toxiproxy.url)}, owned: false, journalDir: ${JSON.stringify(journalDir)} });
      const p = await s.createProxy({ name: 'products', listen: ${JSON.stringify(listen)}, upstream: '127.0.0.1:9' });
      await s.addToxic(p, 'msav-${runId}-fault-0', { type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000 } });
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`runner exited early with ${code}`)));
    });
    expect(await names(runId)).toHaveLength(1);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitFor(async () => (await names(runId)).length === 0, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await waitFor(() => !existsSync(path.join(journalDir, `${runId}.json`)), 5000);
  });

  it('the next run cleans leftovers of a dead runner from its journal', async () => {
    const runId = newRunId();
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    const name = proxyName(runId, 'products');
    const journal = new Journal(journalDir, {
      version: 1,
      runId,
      scenario: 't',
      pid: dead.pid ?? 0,
      toxiproxyUrl: toxiproxy.url,
      owned: false,
      startedAt: Date.now(),
      proxies: [],
      toxics: [],
    });
    await journal.willCreateProxy(name);
    await client.createProxy({ name, listen: `127.0.0.1:${await freePort()}`, upstream: '127.0.0.1:9' });
    const cleaned = await cleanLeftovers(journalDir);
    expect(cleaned.map((c) => [c.runId, c.outcome.ok])).toEqual([[runId, true]]);
    expect(await names(runId)).toEqual([]);
    expect(existsSync(journal.file)).toBe(false);
  });
});
