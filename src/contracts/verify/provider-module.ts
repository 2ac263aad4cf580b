import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MsaVerifyError } from '../../core/errors.js';
import type { ProviderModule } from '../types.js';

/**
 * Imports a provider module (TypeScript runs through Node's type stripping)
 * and checks the shape of its exports.
 * @throws MsaVerifyError `MSAV_CONFIG_INVALID` naming the config field and the export.
 */
export async function loadProviderModule(file: string, baseDir: string, field: string): Promise<ProviderModule> {
  const abs = path.resolve(baseDir, file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new MsaVerifyError('MSAV_CONFIG_INVALID', `${field}: cannot load ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const expect = (name: string, type: 'object' | 'function'): void => {
    if (mod[name] !== undefined && typeof mod[name] !== type) {
      throw new MsaVerifyError('MSAV_CONFIG_INVALID', `${field}: export "${name}" of ${file} must be a ${type}`);
    }
  };
  expect('stateHandlers', 'object');
  expect('messages', 'object');
  expect('setup', 'function');
  expect('teardown', 'function');
  expect('beforeEach', 'function');
  expect('afterEach', 'function');
  expect('requestFilter', 'function');
  return mod as ProviderModule;
}
