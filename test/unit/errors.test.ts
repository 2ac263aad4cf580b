import { describe, expect, it } from 'vitest';
import {
  ErrorCodes,
  ExitCode,
  exitCodeFor,
  formatProblem,
  isMsaVerifyError,
  MsaVerifyError,
} from '../../src/core/index.js';

describe('errors and exit codes', () => {
  it('maps each kind of code to its exit code', () => {
    expect(exitCodeFor(new MsaVerifyError('MSAV_CONFIG_INVALID', 'x'))).toBe(ExitCode.InvalidInput);
    expect(exitCodeFor(new MsaVerifyError('MSAV_TOXIPROXY_UNAVAILABLE', 'x'))).toBe(ExitCode.EnvironmentUnavailable);
    expect(exitCodeFor(new MsaVerifyError('MSAV_VERIFICATION_FAILED', 'x'))).toBe(ExitCode.VerificationFailed);
    expect(exitCodeFor(new MsaVerifyError('MSAV_USAGE', 'x'))).toBe(2);
  });

  it('treats unknown throws as environment failures', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(3);
    expect(exitCodeFor('string')).toBe(3);
  });

  it('every code maps to a documented exit code', () => {
    for (const code of Object.values(ErrorCodes)) expect([1, 2, 3]).toContain(code);
  });

  it('keeps the cause and passes a brand check across copies', () => {
    const cause = new Error('root');
    const err = new MsaVerifyError('MSAV_TARGET_UNREACHABLE', 'down', { cause });
    expect(err.cause).toBe(cause);
    expect(isMsaVerifyError(err)).toBe(true);
    // A structurally identical object from another copy of the package carries the same global symbol.
    const foreign = { [Symbol.for('msa-verify.error')]: true, code: 'MSAV_USAGE' };
    expect(isMsaVerifyError(foreign)).toBe(true);
    expect(isMsaVerifyError(new Error('plain'))).toBe(false);
    expect(isMsaVerifyError(null)).toBe(false);
  });

  it('formats a problem as file:line:column  path  message', () => {
    expect(formatProblem({ file: 'a.yaml', line: 3, column: 5, path: 'services.x.url', message: 'bad' })).toBe(
      'a.yaml:3:5  services.x.url  bad',
    );
  });
});
