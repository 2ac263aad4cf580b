// Child process of the TLS benchmark: one closed-model run over mTLS, either the
// built-in generator (dist/) or autocannon (programmatic, its tlsOptions), each
// presenting msa-verify's client certificate. Prints JSON {requests, errors, rps}.
// Usage: node bench/tls/load-tls.ts msav|autocannon URL CONNECTIONS DURATION_S
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientTlsFiles, readTlsFiles } from '../../examples/shop/pki.ts';

type Cannon = (
  opts: Record<string, unknown>,
) => Promise<{ requests: { total: number }; errors: number; non2xx: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

type LoadModule = typeof import('../../src/chaos/load/index.js');
const [tool = 'msav', url = '', connections = '10', seconds = '5'] = process.argv.slice(2);
const tls = readTlsFiles(clientTlsFiles());
if (tool === 'autocannon') {
  const r = await autocannon({
    url,
    connections: Number(connections),
    duration: Number(seconds),
    tlsOptions: { ca: tls.ca, cert: tls.cert, key: tls.key },
  });
  const requests = r.requests.total;
  process.stdout.write(
    `${JSON.stringify({ requests, errors: r.errors + r.non2xx, rps: requests / Number(seconds) })}\n`,
  );
} else {
  const dist = path.resolve(import.meta.dirname, '../../dist/chaos/load/index.js');
  const load = (await import(pathToFileURL(dist).href)) as LoadModule;
  const r = await load.runClosedLoad({
    target: url,
    requests: [{ method: 'GET', path: '/' }],
    connections: Number(connections),
    durationMs: Number(seconds) * 1000,
    tls,
  });
  process.stdout.write(
    `${JSON.stringify({ requests: r.requests, errors: r.errors, rps: (r.requests * 1000) / r.elapsedMs })}\n`,
  );
}
