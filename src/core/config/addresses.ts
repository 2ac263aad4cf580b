import { type Address, urlAddress } from '../allow-list.js';
import type { Config } from './schema.js';

/**
 * Every address the config names that msa-verify may connect to: services,
 * RabbitMQ, Toxiproxy, Prometheus, Pushgateway, Jaeger, the Pact Broker, and
 * the providers' URLs and state-change URLs.
 */
export function configAddresses(config: Config): Address[] {
  const urls: [string, string | undefined][] = [
    ...Object.entries(config.services).map(([name, s]): [string, string] =>
      typeof s.url === 'string'
        ? [`services.${name}.url`, s.url]
        : [`services.${name}.url.discovery.etcd.url`, s.url.discovery.etcd.url],
    ),
    ['rabbitmq.url', config.rabbitmq?.url],
    ['toxiproxy.url', config.toxiproxy?.url],
    ['prometheus.url', config.prometheus?.url],
    ['pushgateway.url', config.pushgateway?.url],
    ['jaeger.url', config.jaeger?.url],
    ['broker.url', config.broker?.url],
    ...Object.entries(config.contracts?.providers ?? {}).flatMap(([name, p]): [string, string | undefined][] => [
      [`contracts.providers.${name}.url`, p.url],
      [`contracts.providers.${name}.stateChangeUrl`, p.stateChangeUrl],
    ]),
  ];
  const grpc = Object.entries(config.contracts?.providers ?? {}).flatMap(([name, p]) =>
    p.grpc ? [{ path: `contracts.providers.${name}.grpc.address`, hostPort: p.grpc.address }] : [],
  );
  return [...urls.flatMap(([path, url]) => urlAddress(path, url)), ...grpc];
}
