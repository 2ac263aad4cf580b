// Service discovery: addresses given as registry references or DNS SRV names, resolved at run time.
//   schema (DiscoveryRef / DnsRef in config, scenario and trace fields) -> resolve (etcd v3 JSON gateway
//   over fetch | SRV lookup on a given server) -> entry value (URL / host:port / JSON with url)
export { type DnsRef, DnsRefSchema, type DnsSrv, DnsSrvSchema, type ResolvedSrv, resolveSrv } from './dns.js';
export { type EntryAddress, entryAddress, rewriteEntry } from './entry-value.js';
export { EtcdCallError, EtcdClient, type EtcdEntry } from './etcd-client.js';
export { type ResolvedEntry, resolveDiscovery } from './resolve.js';
export { refServerUrl, resolveRef, ServiceRefSchema } from './resolve-ref.js';
export {
  type Discovery,
  type DiscoveryRef,
  DiscoveryRefSchema,
  DiscoverySchema,
  describeDiscovery,
  EtcdEndpointSchema,
  isDiscoveryRef,
  orDiscovery,
  orDiscoveryOrDns,
} from './schema.js';
export { serviceUrl } from './service-url.js';
