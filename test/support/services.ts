import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Addresses of the real components, as written by `scripts/services up`. */
export interface ServiceUrls {
  TOXIPROXY_URL: string;
  RABBITMQ_URL: string;
  PROMETHEUS_URL: string;
  PUSHGATEWAY_URL: string;
  PROMETHEUS_TARGETS_DIR: string;
  /** `host:port` of the Kafka broker. */
  KAFKA_BROKERS: string;
  /** Client URL of etcd (the service registry), when it runs. */
  ETCD_URL?: string;
  /** Jaeger's query API and OTLP/HTTP traces URL (when Jaeger runs). */
  JAEGER_URL?: string;
  JAEGER_OTLP_TRACES_URL?: string;
  /** The broker's PROXIED listener (upstream of a Kafka proxy) and the address it advertises (the proxy's listen). */
  KAFKA_PROXIED_UPSTREAM?: string;
  KAFKA_PROXY_LISTEN?: string;
}

/** Reads `.tools/run/services.env`. */
export function serviceUrls(): ServiceUrls {
  const text = readFileSync(path.join(ROOT, '.tools/run/services.env'), 'utf8');
  const entries = text
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
  return Object.fromEntries(entries) as ServiceUrls;
}
