import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './service-process.ts';

/** Where `scripts/services up` writes its files (git-ignored). */
export const SERVICES_RUN_DIR = path.join(ROOT, '.tools/run');
/** Where `run up` writes shop.env, shop.pid and logs: SHOP_RUN_DIR, default .tools/run (git-ignored). */
export const RUN_DIR = process.env.SHOP_RUN_DIR ? path.resolve(process.env.SHOP_RUN_DIR) : SERVICES_RUN_DIR;
/** Written by `run up`: SHOP_GATEWAY_URL, SHOP_ORDERS_URL, SHOP_PRODUCTS_URL, SHOP_DELIVERY_URL. */
export const SHOP_ENV_FILE = path.join(RUN_DIR, 'shop.env');
/** Written by `run up` with SHOP_AUTH=jwt, mode 0600 and never printed: SHOP_CLIENT_SECRET of the identity service's clients. */
export const SHOP_SECRET_FILE = path.join(RUN_DIR, 'shop.secret.env');
/** Pid of the supervisor started by `run up`. */
export const SHOP_PID_FILE = path.join(RUN_DIR, 'shop.pid');

/** Parses a KEY=VALUE file; missing file → {}. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

/** The addresses written by `scripts/services up` (.tools/run/services.env), if any. */
export function readServicesEnv(): Record<string, string> {
  return readEnvFile(path.join(SERVICES_RUN_DIR, 'services.env'));
}
