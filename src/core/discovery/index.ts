// Service discovery: addresses given as registry references and resolved at run time.
//   schema (DiscoveryRef in config and scenario fields) -> resolve (etcd v3 JSON gateway) -> entry value (URL / JSON)

export { type EntryAddress, entryAddress, rewriteEntry } from './entry-value.js';
export { EtcdCallError, EtcdClient, type EtcdEntry } from './etcd-client.js';
export { type ResolvedEntry, resolveDiscovery } from './resolve.js';
export {
  type Discovery,
  type DiscoveryRef,
  DiscoveryRefSchema,
  DiscoverySchema,
  describeDiscovery,
  EtcdEndpointSchema,
  isDiscoveryRef,
} from './schema.js';
export { serviceUrl } from './service-url.js';
