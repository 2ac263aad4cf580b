import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Config } from './schema.js';
import type { TlsSettings } from './security.js';

/** A `tls` file field of the config that names no readable file. */
export interface MissingTlsFile {
  /** Path to the field, e.g. `['services', 'gateway', 'tls', 'cert']`. */
  readonly path: readonly (string | number)[];
  /** The file as resolved against the config's folder. */
  readonly file: string;
}

/** Every `tls` block of the config with the path to it. */
export function tlsBlocks(config: Config): { path: (string | number)[]; tls: TlsSettings }[] {
  const blocks: { path: (string | number)[]; tls: TlsSettings }[] = [];
  if (config.tls) blocks.push({ path: ['tls'], tls: config.tls });
  for (const [name, service] of Object.entries(config.services)) {
    if (service.tls) blocks.push({ path: ['services', name, 'tls'], tls: service.tls });
  }
  for (const [name, provider] of Object.entries(config.contracts?.providers ?? {})) {
    if (provider.tls) blocks.push({ path: ['contracts', 'providers', name, 'tls'], tls: provider.tls });
  }
  return blocks;
}

/** The `tls` file fields (ca, cert, key) whose file cannot be read, resolved against `baseDir`. */
export function missingTlsFiles(config: Config, baseDir: string): MissingTlsFile[] {
  const missing: MissingTlsFile[] = [];
  for (const block of tlsBlocks(config)) {
    for (const field of ['ca', 'cert', 'key'] as const) {
      const value = block.tls[field];
      if (value === undefined) continue;
      const file = path.resolve(baseDir, value);
      try {
        accessSync(file, constants.R_OK);
      } catch {
        missing.push({ path: [...block.path, field], file });
      }
    }
  }
  return missing;
}
