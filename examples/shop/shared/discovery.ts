// Service discovery for the shop (SHOP_DISCOVERY=etcd): every service registers
// `<prefix>services/<name>` = {"url":...,"pid":...} under a lease it keeps alive
// (a lost lease is granted again and the entry written again); callers resolve
// their dependency through the registry. Two ways to resolve:
//   watch: read the entry, then follow every change (the entry is re-pointed, the
//          instance moves) from the revision read onwards: the resilient caller
//   once:  read the entry at start and keep that address for ever: the naive caller
import { Resolver } from 'node:dns/promises';
import { Etcd3, type Lease } from 'etcd3';
import type { Logger } from 'pino';
import { choiceEnv, EnvError, intEnv, stringEnv, urlEnv } from './env.ts';

/** How the shop finds its services; null when SHOP_DISCOVERY is off (addresses come from variables). */
export interface DiscoverySettings {
  /** etcd client URL (SHOP_ETCD_URL, else ETCD_URL, else http://127.0.0.1:2379). */
  etcdUrl: string;
  /** Key prefix (SHOP_DISCOVERY_PREFIX, default `/msav-shop/`); ends with `/`. */
  prefix: string;
  /** Lease TTL in seconds (SHOP_DISCOVERY_TTL, default 10). */
  ttlSec: number;
}

/** Reads the discovery variables; EnvError on bad values. */
export function readDiscoverySettings(): DiscoverySettings | null {
  // dns: the launcher's DNS server knows every service; nothing registers.
  if (choiceEnv('SHOP_DISCOVERY', ['off', 'etcd', 'dns'], 'off') !== 'etcd') return null;
  const prefix = stringEnv('SHOP_DISCOVERY_PREFIX', '/msav-shop/');
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) {
    throw new EnvError(
      `SHOP_DISCOVERY_PREFIX=${JSON.stringify(prefix)}: expected a key prefix starting and ending with /`,
    );
  }
  return {
    etcdUrl: urlEnv('SHOP_ETCD_URL', stringEnv('ETCD_URL', 'http://127.0.0.1:2379')),
    prefix,
    ttlSec: intEnv('SHOP_DISCOVERY_TTL', 10, 2, 3600),
  };
}

/** The registry key of a service. */
export function serviceKey(settings: DiscoverySettings, name: string): string {
  return `${settings.prefix}services/${name}`;
}

/** A registration that stays until stopped (the lease is revoked: the entry goes at once). */
export interface Registration {
  stop(): Promise<void>;
}

/** Registers `name` at `url` under a kept-alive lease; null settings register nothing. */
export async function register(
  settings: DiscoverySettings | null,
  name: string,
  url: string,
  logger: Logger,
): Promise<Registration> {
  if (!settings) return { stop: async () => {} };
  const client = new Etcd3({ hosts: settings.etcdUrl });
  const key = serviceKey(settings, name);
  const value = JSON.stringify({ url, pid: process.pid });
  let lease: Lease | undefined;
  let stopped = false;
  const grant = async (): Promise<void> => {
    const next = client.lease(settings.ttlSec);
    lease = next;
    next.on('lost', (err) => {
      if (stopped) return;
      logger.warn({ err, key }, 'registry lease lost; registering again');
      setTimeout(
        () => void grant().catch((e: unknown) => logger.error({ err: e, key }, 'registering again failed')),
        500,
      );
    });
    await next.put(key).value(value);
    logger.info({ key, url, lease: await next.grant(), ttlSec: settings.ttlSec }, 'registered');
  };
  await grant();
  return {
    async stop() {
      stopped = true;
      await lease?.revoke().catch(() => {});
      client.close();
    },
  };
}

/** Where a dependency is now, as the caller sees it. */
export interface Resolved {
  /** Base URL to call now. */
  current(): string;
  stop(): Promise<void>;
}

/**
 * Resolves `name` through the registry (waiting up to `waitMs` for its entry),
 * then follows it (`watch`) or keeps the first address (`once`).
 */
export async function resolve(
  settings: DiscoverySettings,
  name: string,
  mode: 'watch' | 'once',
  logger: Logger,
  waitMs = 20_000,
): Promise<Resolved> {
  const client = new Etcd3({ hosts: settings.etcdUrl });
  const key = serviceKey(settings, name);
  const deadline = Date.now() + waitMs;
  let read = await client.get(key).exec();
  while (read.kvs.length === 0) {
    if (Date.now() > deadline) {
      client.close();
      throw new Error(`no registry entry ${key} on ${settings.etcdUrl} within ${waitMs}ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
    read = await client.get(key).exec();
  }
  let current = urlOf(read.kvs[0]!.value.toString()) ?? '';
  logger.info({ key, url: current, mode }, 'resolved through the registry');
  if (mode === 'once') {
    client.close();
    return { current: () => current, stop: async () => {} };
  }
  const watcher = await client
    .watch()
    .key(key)
    .startRevision(String(Number(read.header.revision) + 1))
    .create();
  watcher.on('put', (kv) => {
    const next = urlOf(kv.value.toString());
    if (!next || next === current) return;
    logger.info({ key, from: current, to: next }, 'registry entry changed; following it');
    current = next;
  });
  watcher.on('delete', () => logger.warn({ key, url: current }, 'registry entry deleted; keeping the last address'));
  return {
    current: () => current,
    async stop() {
      await watcher.cancel().catch(() => {});
      client.close();
    },
  };
}

function urlOf(value: string): string | null {
  try {
    const parsed = JSON.parse(value) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

/**
 * Registers the service that just listened on `port` when SHOP_DISCOVERY is on
 * (exits 2 on bad discovery variables, like any bad variable).
 */
export async function registerSelf(name: string, port: number, logger: Logger): Promise<Registration> {
  let settings: DiscoverySettings | null;
  try {
    settings = readDiscoverySettings();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    logger.fatal({ err: error }, `invalid configuration: ${error.message}`);
    process.exit(2);
  }
  return register(settings, name, `http://${process.env.HOST ?? '127.0.0.1'}:${port}`, logger);
}

/** Waits until `key` has an entry (the launcher's readiness with discovery on); throws after `timeoutMs`. */
export async function waitForEntry(etcdUrl: string, key: string, timeoutMs: number): Promise<void> {
  const client = new Etcd3({ hosts: etcdUrl });
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await client.get(key).exec()).kvs.length === 0) {
      if (Date.now() > deadline) throw new Error(`no registry entry ${key} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}

/**
 * Orders' second way to find products (SHOP_DISCOVERY=dns): an SRV lookup of
 * `_<name>._tcp.<SHOP_DNS_DOMAIN>` on SHOP_DNS_SERVER, kept for the record's TTL
 * and looked up again after it, like a resolver that honours TTLs.
 */
export function dnsResolver(name: string, logger: Logger): { current(): Promise<string> } {
  const server = stringEnv('SHOP_DNS_SERVER', '127.0.0.1:15353');
  if (!/^[\d.]+:\d+$/.test(server)) throw new EnvError(`SHOP_DNS_SERVER=${JSON.stringify(server)}: expected ip:port`);
  const srv = `_${name}._tcp.${stringEnv('SHOP_DNS_DOMAIN', 'shop.test')}`;
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([server]);
  let cached: { url: string; until: number } | undefined;
  return {
    async current() {
      if (cached && Date.now() < cached.until) return cached.url;
      const [record] = (await resolver.resolveSrv(srv)).sort((a, b) => a.priority - b.priority);
      if (!record) throw new Error(`no SRV record ${srv} on ${server}`);
      const [a] = await resolver.resolve4(record.name, { ttl: true });
      if (!a) throw new Error(`no address for ${record.name} on ${server}`);
      const url = `http://${a.address}:${record.port}`;
      if (url !== cached?.url) logger.info({ srv, server, url }, 'resolved through DNS SRV');
      cached = { url, until: Date.now() + Math.max(a.ttl, 1) * 1000 };
      return url;
    },
  };
}
