import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { k6Available, runK6 } from '../../src/chaos/load/k6.js';

describe('k6 adapter when k6 is missing', () => {
  it('says clearly that k6 is not on PATH and how to proceed', async () => {
    const missing = path.join(await mkdtemp(path.join(tmpdir(), 'msav-nok6-')), 'k6');
    try {
      const a = k6Available(missing);
      expect(a).toEqual({
        available: false,
        reason: expect.stringMatching(/^k6 is not on PATH: install k6 .* built-in generator$/),
      });
      await expect(runK6({ script: 'x.js', k6Path: missing })).rejects.toMatchObject({
        code: 'MSAV_COMPONENT_UNAVAILABLE',
        message: expect.stringMatching(/k6 is not on PATH/),
      });
    } finally {
      await rm(path.dirname(missing), { recursive: true, force: true });
    }
  });
});
