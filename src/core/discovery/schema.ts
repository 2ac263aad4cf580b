import { z } from 'zod';
import { httpUrlField } from '../config/fields.js';
import { DnsRefSchema } from './dns.js';

/** An etcd cluster msa-verify reads (and, for `placement: registry`, writes) through its v3 JSON gateway. */
export const EtcdEndpointSchema = z.strictObject({
  /** Client URL of one member, e.g. `http://127.0.0.1:2379` (its `/v3/...` JSON gateway is used). */
  url: httpUrlField,
});

/**
 * Where a service is registered. The entry's value is either a URL / `host:port`
 * string, or a JSON object whose `url` field is one (the shop's format:
 * `{"url":"http://127.0.0.1:8082","pid":123}`).
 */
export const DiscoverySchema = z.strictObject({
  etcd: EtcdEndpointSchema,
  /** The exact key of the service's entry, e.g. `/msav-shop/services/products`. */
  key: z.string().min(1, { message: 'expected the registry key of the service' }),
});

/** `{ discovery: {...} }`: accepted wherever an address is, resolved when the run starts. */
export const DiscoveryRefSchema = z.strictObject({ discovery: DiscoverySchema });

/** A service's registry location. */
export type Discovery = z.output<typeof DiscoverySchema>;
/** An address given through the registry. */
export type DiscoveryRef = z.output<typeof DiscoveryRefSchema>;

/** True when an address field holds a registry reference rather than a URL. */
export function isDiscoveryRef(value: unknown): value is DiscoveryRef {
  return typeof value === 'object' && value !== null && 'discovery' in value;
}

/** Short text for plans and messages: `etcd http://127.0.0.1:2379 key /shop/services/products`. */
export function describeDiscovery(d: Discovery): string {
  return `etcd ${d.etcd.url} key ${d.key}`;
}

const REF_SHAPE = '{ discovery: { etcd: { url }, key } }';
const DNS_SHAPE = '{ dns: { srv, resolver } }';

/**
 * `plain` (a URL or `host:port` field) or a registry reference. A bad reference
 * is reported at its own field when the shape is close enough to tell;
 * otherwise with both accepted forms named.
 */
export function orDiscovery<T extends z.ZodType>(plain: T, expected: string) {
  return z.union([plain, DiscoveryRefSchema], unionError(expected));
}

/** Like {@link orDiscovery}, also accepting `{ dns: { srv, resolver } }` (an SRV lookup); for scenario addresses. */
export function orDiscoveryOrDns<T extends z.ZodType>(plain: T, expected: string) {
  return z.union([plain, DiscoveryRefSchema, DnsRefSchema], unionError(expected, true));
}

function unionError(expected: string, dns = false) {
  const shapes = dns ? `${REF_SHAPE} or ${DNS_SHAPE}` : REF_SHAPE;
  return {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const input = issue.input;
      if (typeof input !== 'object' || input === null) return `expected ${expected} or ${shapes}`;
      const branch = 'discovery' in input ? 1 : dns && 'dns' in input ? 2 : 0;
      if (branch === 0) {
        return `expected ${expected} or ${shapes}: unknown key(s) ${Object.keys(input).join(', ') || '(none given)'}`;
      }
      const first = issue.errors[branch]?.[0];
      const at = first?.path.length ? `${first.path.join('.')}: ` : '';
      const why =
        first?.code === 'unrecognized_keys'
          ? `unknown key(s) ${first.keys.join(', ')}`
          : first?.code === 'invalid_type'
            ? `expected ${first.expected}`
            : (first?.message ?? 'invalid');
      return `expected ${expected} or ${shapes}: ${at}${why}`;
    },
  } satisfies z.core.$ZodUnionParams;
}
