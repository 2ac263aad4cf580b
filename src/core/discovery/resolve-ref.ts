import { z } from 'zod';
import { type DnsRef, DnsRefSchema, resolveSrv } from './dns.js';
import { resolveDiscovery } from './resolve.js';
import { type DiscoveryRef, DiscoveryRefSchema } from './schema.js';

/** A service found through etcd or DNS SRV (no plain URL): for fields that hold only a reference. */
export const ServiceRefSchema = z.union([DiscoveryRefSchema, DnsRefSchema], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? 'expected { discovery: { etcd: { url }, key } } or { dns: { srv, resolver } }'
      : undefined,
});

/** Base URL and `host:port` of the instance a reference names now. */
export async function resolveRef(
  ref: DiscoveryRef | DnsRef,
  field: string,
): Promise<{ url: string; hostPort: string }> {
  if ('dns' in ref) return resolveSrv(ref.dns, field);
  const entry = await resolveDiscovery(ref.discovery, field);
  return { url: entry.url, hostPort: entry.hostPort };
}

/** The address a reference itself connects to (the registry or the DNS server), for allow-lists. */
export function refServerUrl(
  ref: DiscoveryRef | DnsRef,
): { field: string; hostPort: string } | { field: string; url: string } {
  return 'dns' in ref
    ? { field: 'dns.resolver', hostPort: ref.dns.resolver }
    : { field: 'discovery.etcd.url', url: ref.discovery.etcd.url };
}
