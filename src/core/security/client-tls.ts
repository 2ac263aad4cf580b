import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TlsSettings } from '../config/security.js';
import { MsaVerifyError } from '../errors.js';

/** PEM contents a client trusts (`ca`) and presents (`cert`, `key`); what node:https takes. */
export interface ClientTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/**
 * Reads the files of a `tls` block, relative to `baseDir`.
 * @throws MsaVerifyError `MSAV_CONFIG_INVALID` (exit 2) naming the field (`where.cert`) and the file.
 */
export function loadClientTls(settings: TlsSettings, baseDir: string, where = 'tls'): ClientTls {
  const read = (field: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const value = settings[field];
    if (value === undefined) return undefined;
    const file = path.resolve(baseDir, value);
    try {
      return readFileSync(file);
    } catch (cause) {
      throw new MsaVerifyError('MSAV_CONFIG_INVALID', `${where}.${field}: file not found or not readable: ${file}`, {
        cause,
      });
    }
  };
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const content = read(field);
    if (content !== undefined) tls[field] = content;
  }
  return tls;
}
