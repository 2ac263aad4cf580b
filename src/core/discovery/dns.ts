// DNS SRV as a second way to find a service: `_service._tcp.domain` on a given
// resolver (a loopback DNS server in tests), its target resolved to an address
// through the same resolver.
import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { MsaVerifyError } from '../errors.js';

/** A service found by an SRV lookup. */
export const DnsSrvSchema = z.strictObject({
  /** SRV name, e.g. `_products._tcp.shop.test`. */
  srv: z.string().regex(/^_[A-Za-z0-9-]+\._(tcp|udp)\.[A-Za-z0-9.-]+$/, {
    message: 'expected an SRV name such as _products._tcp.shop.test',
  }),
  /** `host:port` of the DNS server to ask, e.g. `127.0.0.1:15353`. */
  resolver: z.string().regex(/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/, { message: 'expected host:port of a DNS server' }),
  /** URL scheme of the service. Default `http`. */
  scheme: z.enum(['http', 'https']).default('http'),
});

/** `{ dns: {...} }`: accepted wherever a URL is in scenarios, resolved when the run starts. */
export const DnsRefSchema = z.strictObject({ dns: DnsSrvSchema });

export type DnsSrv = z.output<typeof DnsSrvSchema>;
export type DnsRef = z.output<typeof DnsRefSchema>;

/** What an SRV lookup found (the record of lowest priority, then highest weight). */
export interface ResolvedSrv {
  readonly url: string;
  readonly hostPort: string;
}

/**
 * Looks the SRV record up and resolves its target (an IP address target is used as it is).
 * @throws MsaVerifyError exit 3 when the server does not answer or knows no such record.
 */
export async function resolveSrv(d: DnsSrv, field: string): Promise<ResolvedSrv> {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([d.resolver]);
  try {
    const records = await resolver.resolveSrv(d.srv);
    const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
    if (!best) throw new Error('no SRV record');
    const host = /^\d+\.\d+\.\d+\.\d+$/.test(best.name) ? best.name : (await resolver.resolve4(best.name))[0];
    if (!host) throw new Error(`no address for ${best.name}`);
    return { url: `${d.scheme}://${host}:${best.port}`, hostPort: `${host}:${best.port}` };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new MsaVerifyError(
      'MSAV_COMPONENT_UNAVAILABLE',
      `${field}: SRV lookup of ${d.srv} on ${d.resolver} failed: ${code}`,
      { cause },
    );
  }
}
