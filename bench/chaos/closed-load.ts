// Child process of the load benchmark: the built-in generator (built dist/) in
// closed-model mode, so it is measured like autocannon and wrk. Prints JSON.
// Usage: node bench/chaos/closed-load.ts URL CONNECTIONS DURATION_MS [raw|node-http]
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type LoadModule = typeof import('../../src/chaos/load/index.js');
const dist = path.resolve(import.meta.dirname, '../../dist/chaos/load/index.js');
const load = (await import(pathToFileURL(dist).href)) as LoadModule;

const [url = '', connections = '10', durationMs = '5000', client = 'raw'] = process.argv.slice(2);
const r = await load.runClosedLoad({
  target: url,
  requests: [{ method: 'GET', path: '/' }],
  connections: Number(connections),
  durationMs: Number(durationMs),
  client: client === 'node-http' ? 'node-http' : 'raw',
});
process.stdout.write(
  `${JSON.stringify({ requests: r.requests, errors: r.errors, elapsedMs: r.elapsedMs, rps: (r.requests * 1000) / r.elapsedMs })}\n`,
);
