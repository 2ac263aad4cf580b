import { describe, expect, it } from 'vitest';
import { formatDuration, isMsaVerifyError, parseDuration } from '../../src/core/index.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1m', 60_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    [' 10ms ', 10],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '-5s', '5 s', '5sec', 'abc', '1e3ms'])('rejects %j with a coded error', (text) => {
    try {
      parseDuration(text);
      expect.unreachable();
    } catch (error) {
      expect(isMsaVerifyError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('MSAV_DURATION_INVALID');
      expect((error as Error).message).toContain('expected a number and a unit');
    }
  });

  it('formats back compactly', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(120_000)).toBe('2m');
  });
});
