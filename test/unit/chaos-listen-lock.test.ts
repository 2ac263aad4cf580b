import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimListenAddresses } from '../../src/chaos/toxiproxy/listen-lock.js';
import { isMsaVerifyError } from '../../src/core/errors.js';

// One chaos run per fixed listen address per machine: lock files with the holder's pid.

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'msav-lock-'));
  dirs.push(d);
  return d;
}

const KAFKA = { proxy: 'kafka', listen: '127.0.0.1:19094' };
const first = { runId: 'run-a', scenario: 'kafka-cut', file: 'chaos/kafka-cut.yaml' };
const second = { runId: 'run-b', scenario: 'kafka-reset', file: 'chaos/kafka-reset.yaml' };

describe('claimListenAddresses', () => {
  it('refuses a second run on a held address, naming the holder and Kafka (negative), until the first releases', async () => {
    const dir = await tmp();
    const release = await claimListenAddresses([KAFKA, { proxy: 'any', listen: '127.0.0.1:0' }], first, { dir });
    const refused = await claimListenAddresses([{ proxy: 'other', listen: '127.0.0.1:18081' }, KAFKA], second, {
      dir,
      kafka: new Set(['kafka']),
    }).catch((e: unknown) => e);
    expect(isMsaVerifyError(refused) && refused.code).toBe('MSAV_LISTEN_BUSY');
    expect(isMsaVerifyError(refused) && refused.exitCode).toBe(3);
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^proxy kafka: listen address 127\\.0\\.0\\.1:19094 is held by another chaos run on this machine \\(scenario kafka-cut from chaos/kafka-cut\\.yaml, run run-a, pid ${process.pid}, since `,
      ),
    );
    expect((refused as Error).message).toContain('only one Kafka chaos run at a time (docs/kafka-chaos.md)');
    // The refused run kept nothing (its claim on 18081 was released); port 0 is never claimed.
    expect(await readdir(dir)).toEqual(['127.0.0.1_19094.lock']);
    await release();
    expect(await readdir(dir)).toEqual([]);
    const again = await claimListenAddresses([KAFKA], second, { dir });
    await again();
  });

  it('takes over the claim of a run whose process is gone', async () => {
    const dir = await tmp();
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid as number;
    await writeFile(
      path.join(dir, '127.0.0.1_19094.lock'),
      JSON.stringify({ ...first, pid: dead, since: Date.now() - 60_000 }),
    );
    // Another killed run's claim on an address nobody asks for is swept too.
    await writeFile(
      path.join(dir, '127.0.0.1_18081.lock'),
      JSON.stringify({ ...first, runId: 'run-c', pid: dead, since: Date.now() - 60_000 }),
    );
    const release = await claimListenAddresses([KAFKA], second, { dir });
    expect(await readdir(dir)).toEqual(['127.0.0.1_19094.lock']);
    await release();
    expect(await readdir(dir)).toEqual([]);
  });
});
