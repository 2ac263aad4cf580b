// The benchmark's provider, in a process of its own as a real provider is:
// GET /items/:n answers item n. Prints its port on stdout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer((req, res) => {
  const n = Number(/^\/items\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  res.writeHead(n >= 0 ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(n >= 0 ? { id: n, name: `item-${n}`, priceCents: n * 10, tags: ['a', 'b'] } : {}));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
// Ends with the bench.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
