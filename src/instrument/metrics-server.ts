// The /metrics endpoint. Bound to 127.0.0.1 only; unref'd so it never keeps
// the app alive; a port in use is a warning, not a crash.
import type { Server } from 'node:http';
import type { RedMetrics } from './metrics.js';

/** Starts the endpoint; returns the server (or null when it could not be created). */
export function serveMetrics(
  http: typeof import('node:http'),
  port: number,
  metrics: RedMetrics,
  warn: (message: string) => void,
): Server | null {
  try {
    const server = http.createServer((req, res) => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(metrics.render());
      } else {
        res.writeHead(404).end();
      }
    });
    server.on('error', (error) => warn(`metrics endpoint on 127.0.0.1:${port} failed: ${error.message}`));
    server.listen(port, '127.0.0.1');
    server.unref();
    return server;
  } catch (error) {
    warn(`metrics endpoint not started: ${(error as Error).message}`);
    return null;
  }
}
