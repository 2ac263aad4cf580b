// An https hello-world server for the TLS benchmarks, with the test CA's
// products certificate; it requires and verifies a client certificate (mTLS).
// Prints its port, then serves `GET *` -> 200 "hello world" until stdin closes.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readTlsFiles, serviceTlsFiles } from '../../examples/shop/pki.ts';

const { ca, cert, key } = readTlsFiles(serviceTlsFiles('products'));
const server = https.createServer({ ca, cert, key, requestCert: true, rejectUnauthorized: true }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' });
  res.end('hello world');
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
