// Consumer-side pact generation: N HTTP interactions written one test at a
// time, with pact-js's PactV4 builder directly (the peer) and with
// msa-verify's httpContract (a layer over PactV4), in the same run, for each
// N given. Prints the time per interaction, which shows how the cost grows.
// Usage: bash scripts/build && node bench/contracts/generate.ts [N ...]   (default 50 100 200)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { httpContract } from '../../dist/contracts/index.js';

const counts = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['50', '100', '200']).map(Number);
const say = (s: string) => process.stderr.write(`${s}\n`);
const body = (n: number) => ({ id: n, name: `item-${n}` });

async function peer(count: number, dir: string): Promise<void> {
  const pact = new PactV4({ consumer: 'gen-consumer', provider: 'gen-provider', dir, logLevel: 'error' });
  for (let n = 0; n < count; n++) {
    await pact
      .addInteraction()
      .given('items exist', { n })
      .uponReceiving(`get item ${n}`)
      .withRequest('GET', `/items/${n}`)
      .willRespondWith(200, (b) => b.jsonBody(body(n)))
      .executeTest(async (server) => {
        await (await fetch(`${server.url}/items/${n}`)).text();
      });
  }
}

async function ours(count: number, dir: string): Promise<void> {
  const contract = httpContract({ consumer: 'gen-consumer', provider: 'gen-provider', pactDir: dir });
  for (let n = 0; n < count; n++) {
    await contract.interaction(
      {
        description: `get item ${n}`,
        states: [{ name: 'items exist', params: { n } }],
        request: { method: 'GET', path: `/items/${n}` },
        response: { status: 200, body: body(n) },
      },
      async ({ url }) => {
        await (await fetch(`${url}/items/${n}`)).text();
      },
    );
  }
}

say(
  `node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const count of counts) {
  const times: Record<string, number> = {};
  // Alternate the order between sizes so that neither side always goes first.
  const order =
    counts.indexOf(count) % 2 === 0
      ? ([
          ['peer', peer],
          ['ours', ours],
        ] as const)
      : ([
          ['ours', ours],
          ['peer', peer],
        ] as const);
  for (const [name, fn] of order) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-gen-'));
    const start = performance.now();
    await fn(count, dir);
    times[name] = performance.now() - start;
    await rm(dir, { recursive: true, force: true });
  }
  const p = times.peer ?? Number.NaN;
  const o = times.ours ?? Number.NaN;
  say(
    `N=${count}: pact-js PactV4 ${p.toFixed(0)} ms (${(p / count).toFixed(1)} ms/interaction), msa-verify httpContract ${o.toFixed(0)} ms (${(o / count).toFixed(1)} ms/interaction), ratio ${(o / p).toFixed(2)}`,
  );
}
