import net from 'node:net';

// Ports handed out for the caller to listen on later come from below Linux's
// default ephemeral range (32768-60999): a port the kernel chose for bind(0)
// is also what it gives the next outgoing connection, so between our check
// and the caller's listen another process's connection could take it.
const LOW = 20_000;
const HIGH = 32_768;
const ATTEMPTS = 20;

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (port !== 0 && (error.code === 'EADDRINUSE' || error.code === 'EACCES')) resolve(undefined);
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (chosen at random below the ephemeral range). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = await listenOnce(LOW + Math.floor(Math.random() * (HIGH - LOW)));
    if (port !== undefined) return port;
  }
  return (await listenOnce(0)) as number;
}
