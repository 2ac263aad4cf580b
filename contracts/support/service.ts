import { readyPaths } from '../../examples/shop/launcher.ts';
import { freePort, type ServiceName, ServiceProcess } from '../../examples/shop/service-process.ts';

// Starts one real shop service for a consumer test, pointed at a Pact mock
// provider (or a private exchange/queue), on a free port.

/** A started service. */
export interface StartedService extends AsyncDisposable {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `examples/shop/<name>/main.ts` with `env` and waits until it is ready. */
export async function startService(name: ServiceName, env: Record<string, string>): Promise<StartedService> {
  const service = new ServiceProcess(name, await freePort());
  await service.start({
    env: { ...process.env, ...env },
    preload: false,
    readyPaths: readyPaths(name),
    timeoutMs: 20_000,
  });
  const stop = () => service.stop();
  return { url: service.url, stop, [Symbol.asyncDispose]: stop };
}

/** A free TCP port for a Pact mock provider. */
export function mockPort(): Promise<number> {
  return freePort();
}

/** amqp:// URL of the RabbitMQ the tests use. */
export const rabbitmqUrl = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Exchange and queue names no other run uses. */
export function privateMessaging(prefix: string): { exchange: string; queue: string } {
  const id = `${prefix}-${process.pid}-${Date.now().toString(36)}`;
  return { exchange: `${id}.events`, queue: `${id}.delivery` };
}
