import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** Listens (http or https) on `PORT` (0 = a free port; default 0) and `HOST` (default 127.0.0.1); resolves with the bound port. */
export function listen(server: Server | HttpsServer, logger: Logger): Promise<number> {
  const port = Number(process.env.PORT ?? '0');
  const host = process.env.HOST ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number.isInteger(port) ? port : 0, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      const scheme = 'setSecureContext' in server ? 'https' : 'http';
      logger.info({ port: bound, host, url: `${scheme}://${host}:${bound}` }, 'listening');
      resolve(bound);
    });
  });
}

/**
 * Stops the service cleanly on SIGTERM/SIGINT, and also when the parent that
 * started it goes away: with `SHOP_EXIT_WITH_PARENT=1` (set by the launcher)
 * the service watches its stdin pipe, which closes when the parent dies, even
 * by SIGKILL. `stop` gets at most `graceMs` (default 3000) before exit.
 */
export function handleShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 3000): void {
  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn({ graceMs }, 'shutdown took too long, exiting');
      process.exit(0);
    }, graceMs);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (process.env.SHOP_EXIT_WITH_PARENT === '1') {
    process.stdin.on('data', () => {});
    // No graceful stop: the parent is gone, and so is the pipe our logs go to.
    process.stdin.once('end', () => process.exit(0));
    process.stdin.once('error', () => process.exit(0));
  }
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    logger.error({ err: error }, 'unhandled rejection');
  });
}

/** Closes an HTTP server, ending idle keep-alive connections so close does not wait for them. */
export function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}
