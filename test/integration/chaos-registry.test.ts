// Re-pointing registry entries against a real etcd (scripts/services): journalled
// before the swap, restored exactly (value, lease, same key history) by the
// session's rollback and by `chaos reset` from a dead runner's journal, left
// alone when the owner rewrote or dropped the entry, and guarded during a run
// (a re-registration is re-pointed again; a deletion or a restore by someone
// else is a loss). Negative: an unreachable etcd makes the rollback incomplete.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosReset } from '../../src/app/chaos-reset.js';
import { RegistryGuard } from '../../src/chaos/registry/guard.js';
import { Journal, type JournalRecord } from '../../src/chaos/toxiproxy/journal.js';
import { rollbackRecord } from '../../src/chaos/toxiproxy/rollback.js';
import { newRunId } from '../../src/chaos/toxiproxy/run-id.js';
import { ChaosSession } from '../../src/chaos/toxiproxy/session.js';
import { EtcdClient } from '../../src/core/discovery/etcd-client.js';
import { b64, deletePrefix, etcdUrl as etcdUrlOf, registrySnapshot } from '../support/etcd.js';
import { freePort, waitFor } from '../support/net.js';
import { serviceUrls } from '../support/services.js';

let etcdUrl: string;
let etcd: EtcdClient;
let work: string;
const prefix = `/msav-it-${process.pid}-${Date.now().toString(36)}/`;

async function grant(ttl: number): Promise<string> {
  const res = await fetch(`${etcdUrl}/v3/lease/grant`, { method: 'POST', body: JSON.stringify({ TTL: ttl }) });
  return ((await res.json()) as { ID: string }).ID;
}

const snapshot = (): Promise<string[]> => registrySnapshot(etcdUrl, prefix);

async function openSession(): Promise<ChaosSession> {
  return ChaosSession.open({
    runId: newRunId(),
    scenario: 'registry',
    toxiproxyUrl: serviceUrls().TOXIPROXY_URL,
    owned: false,
    journalDir: path.join(work, 'journal'),
    watchdog: false,
  });
}

beforeAll(async () => {
  etcdUrl = etcdUrlOf();
  etcd = new EtcdClient(etcdUrl);
  work = await mkdtemp(path.join(os.tmpdir(), 'msav-registry-'));
});

afterAll(async () => {
  if (etcdUrl) await deletePrefix(etcdUrl, prefix);
});

describe('placement registry against a real etcd', () => {
  it('journals the re-point before making it, keeps the lease, and the rollback restores the entry exactly', async () => {
    const key = `${prefix}services/a`;
    const lease = await grant(60);
    await etcd.put(key, '{"url":"http://127.0.0.1:8082","pid":1}', lease);
    const before = await snapshot();
    const session = await openSession();
    const original = (await etcd.get(key))!;
    const replacementB64 = b64('{"url":"http://127.0.0.1:18482","pid":1}');
    expect(await session.repointEntry({ url: etcdUrl, key, originalB64: original.valueB64, replacementB64 })).toBe(
      true,
    );
    const journal = JSON.parse(await readFile(session.journal.file, 'utf8')) as JournalRecord;
    expect(journal.registry).toEqual([
      { kind: 'etcd', url: etcdUrl, key, originalB64: original.valueB64, replacementB64 },
    ]);
    const during = (await etcd.get(key))!;
    expect(during.value).toBe('{"url":"http://127.0.0.1:18482","pid":1}');
    expect(during.lease).toBe(lease);
    const outcome = await session.rollback();
    expect(outcome).toEqual({ ok: true, notes: [] });
    expect(await snapshot()).toEqual(before);
    // Nothing is left to undo: the journal is gone, and a second rollback of its record changes nothing.
    expect(await rollbackRecord(journal)).toEqual({ ok: true, notes: [] });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to re-point an entry that changed since it was read, and forgets it', async () => {
    const key = `${prefix}services/b`;
    await etcd.put(key, 'http://127.0.0.1:8082');
    const session = await openSession();
    const swapped = await session.repointEntry({
      url: etcdUrl,
      key,
      originalB64: b64('http://127.0.0.1:9999'),
      replacementB64: b64('http://127.0.0.1:18482'),
    });
    expect(swapped).toBe(false);
    expect(session.journal.record.registry).toEqual([]);
    expect((await etcd.get(key))?.value).toBe('http://127.0.0.1:8082');
    expect((await session.rollback()).ok).toBe(true);
  });

  it('leaves an entry its owner rewrote or let expire during the run, and says so', async () => {
    const rewritten = `${prefix}services/c`;
    const expired = `${prefix}services/d`;
    const record = {
      registry: [
        { kind: 'etcd', url: etcdUrl, key: rewritten, originalB64: b64('old'), replacementB64: b64('proxy') },
        { kind: 'etcd', url: etcdUrl, key: expired, originalB64: b64('old'), replacementB64: b64('proxy') },
      ],
      proxies: [],
      toxics: [],
    } as unknown as JournalRecord;
    await etcd.put(rewritten, 'new registration');
    const outcome = await rollbackRecord(record);
    expect(outcome.ok).toBe(true);
    expect(outcome.notes.join('\n')).toMatch(
      /services\/c was rewritten by its owner during the run; left as it is now/,
    );
    expect(outcome.notes.join('\n')).toMatch(/services\/d is gone \(its lease expired\); nothing to restore/);
    expect((await etcd.get(rewritten))?.value).toBe('new registration');
    expect(await etcd.get(expired)).toBeNull();
  });

  it('reports an incomplete rollback when etcd cannot be reached (the watchdog and chaos reset retry)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const outcome = await rollbackRecord({
      registry: [{ kind: 'etcd', url: closed, key: '/x', originalB64: b64('a'), replacementB64: b64('b') }],
      proxies: [],
      toxics: [],
    } as unknown as JournalRecord);
    expect(outcome.ok).toBe(false);
    expect(outcome.notes[0]).toMatch(new RegExp(`restore registry entry /x: etcd ${closed}: ECONNREFUSED`));
  });

  it('chaos reset restores the entry from the journal of a runner that died', async () => {
    const key = `${prefix}services/e`;
    const lease = await grant(60);
    await etcd.put(key, '{"url":"http://127.0.0.1:8082"}', lease);
    const before = await snapshot();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const journalDir = path.join(work, 'reset-journal');
    const config = path.join(work, 'reset.config.yaml');
    await writeFile(config, `version: 1\nchaos: { journalDir: "${journalDir}" }\n`);
    const journal = new Journal(journalDir, {
      version: 1,
      runId: newRunId(),
      scenario: 'died',
      pid: Number(dead.stdout),
      toxiproxyUrl: serviceUrls().TOXIPROXY_URL,
      owned: false,
      startedAt: Date.now(),
      proxies: [],
      toxics: [],
    });
    const original = (await etcd.get(key))!;
    await journal.willRepoint({
      kind: 'etcd',
      url: etcdUrl,
      key,
      originalB64: original.valueB64,
      replacementB64: b64('{"url":"http://127.0.0.1:18482"}'),
    });
    expect(await etcd.swap(key, original.valueB64, b64('{"url":"http://127.0.0.1:18482"}'))).toBe(true);
    expect(await snapshot()).not.toEqual(before);
    const reset = await chaosReset({ config, cwd: work });
    expect(reset.ok).toBe(true);
    expect(reset.runs.map((r) => r.scenario)).toEqual(['died']);
    expect(await snapshot()).toEqual(before);
  });

  it('the guard re-points a re-registration and records a deletion and a restore by someone else as losses', async () => {
    const key = `${prefix}services/f`;
    const first = await grant(60);
    await etcd.put(key, '{"url":"http://127.0.0.1:8082"}', first);
    const session = await openSession();
    const original = (await etcd.get(key))!;
    const replacementB64 = b64('{"url":"http://127.0.0.1:18482"}');
    expect(await session.repointEntry({ url: etcdUrl, key, originalB64: original.valueB64, replacementB64 })).toBe(
      true,
    );
    const notes: string[] = [];
    const watch = (originalB64: string, lease: string): RegistryGuard =>
      new RegistryGuard(
        session,
        [
          {
            proxy: 'f',
            url: etcdUrl,
            key,
            instance: '127.0.0.1:8082',
            listen: '127.0.0.1:18482',
            replacementB64,
            original: { valueB64: originalB64, lease },
          },
        ],
        (t) => notes.push(t),
        50,
      );
    const guard = watch(original.valueB64, original.lease);
    try {
      // The owner registers again with a new lease (as after losing its lease): re-pointed again, journalled.
      const second = await grant(60);
      await etcd.put(key, '{"url":"http://127.0.0.1:8082","again":true}', second);
      await waitFor(async () => (await etcd.get(key))?.valueB64 === replacementB64, 5000);
      expect((await etcd.get(key))?.lease).toBe(second);
      expect(guard.logs().get('f')?.repointed).toHaveLength(1);
      expect(session.journal.record.registry?.[0]?.originalB64).toBe(
        b64('{"url":"http://127.0.0.1:8082","again":true}'),
      );
      // Someone puts the original back (chaos reset of a live run): a loss, not re-pointed.
      await etcd.swap(key, replacementB64, b64('{"url":"http://127.0.0.1:8082","again":true}'));
      await waitFor(async () => (guard.logs().get('f')?.lost.length ?? 0) === 1, 5000);
      expect(guard.logs().get('f')?.lost[0]?.why).toMatch(/set back to its original value by someone else/);
      expect((await etcd.get(key))?.value).toBe('{"url":"http://127.0.0.1:8082","again":true}');
    } finally {
      await guard[Symbol.asyncDispose]();
    }
    // Deleted while guarded: a loss.
    await etcd.swap(key, b64('{"url":"http://127.0.0.1:8082","again":true}'), replacementB64);
    const again = watch(b64('{"url":"http://127.0.0.1:8082","again":true}'), '0');
    try {
      await fetch(`${etcdUrl}/v3/kv/deleterange`, { method: 'POST', body: JSON.stringify({ key: b64(key) }) });
      await waitFor(async () => (again.logs().get('f')?.lost.length ?? 0) === 1, 5000);
      expect(again.logs().get('f')?.lost[0]?.why).toMatch(
        /deleted \(the instance deregistered, or its lease expired\)/,
      );
    } finally {
      await again[Symbol.asyncDispose]();
    }
    expect(notes.join('\n')).toMatch(/registered again by its owner/);
    const outcome = await session.rollback();
    expect(outcome.ok).toBe(true);
    expect(outcome.notes.join('\n')).toMatch(/is gone/);
  });
});
