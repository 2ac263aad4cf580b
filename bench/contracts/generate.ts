// Consumer-side pact generation: N HTTP interactions written one test at a
// time, with pact-js's PactV4 builder directly (the peer) and with
// msa-verify's httpContract (a layer over PactV4, which keeps the passed
// interactions and writes the file once), in the same run, for each N given.
// Prints the time per interaction, which shows how the cost grows, and at the
// end each side's time per interaction at the largest N over the smallest.
// With `message` first, the same for asynchronous messages (messageContract
// against PactV4's addAsynchronousInteraction).
// Usage: bash scripts/build && node bench/contracts/generate.ts [message] [N ...]   (default 50 100 200)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { httpContract, messageContract } from '../../dist/contracts/index.js';

const args = process.argv.slice(2);
const messages = args[0] === 'message';
const counts = (args.length > (messages ? 1 : 0) ? args.slice(messages ? 1 : 0) : ['50', '100', '200']).map(Number);
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
  // The passed interactions are written once, here (counted in the time).
  contract.write();
}

async function peerMessages(count: number, dir: string): Promise<void> {
  const pact = new PactV4({ consumer: 'gen-consumer', provider: 'gen-provider', dir, logLevel: 'error' });
  for (let n = 0; n < count; n++) {
    await pact
      .addAsynchronousInteraction()
      .given('items exist', { n })
      .expectsToReceive(`item ${n} changed`, (b) => {
        b.withJSONContent(body(n)).withMetadata({ contentType: 'application/json' });
      })
      .executeTest(async (m) => m);
  }
}

async function oursMessages(count: number, dir: string): Promise<void> {
  const contract = messageContract({ consumer: 'gen-consumer', provider: 'gen-provider', pactDir: dir });
  for (let n = 0; n < count; n++) {
    await contract.expect(
      { description: `item ${n} changed`, states: [{ name: 'items exist', params: { n } }], content: body(n) },
      async (m) => m,
    );
  }
  contract.write();
}

const perInteraction: Record<'peer' | 'ours', number[]> = { peer: [], ours: [] };
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
          ['peer', messages ? peerMessages : peer],
          ['ours', messages ? oursMessages : ours],
        ] as const)
      : ([
          ['ours', messages ? oursMessages : ours],
          ['peer', messages ? peerMessages : peer],
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
  perInteraction.peer.push(p / count);
  perInteraction.ours.push(o / count);
  say(
    `${messages ? 'messages ' : ''}N=${count}: pact-js PactV4 ${p.toFixed(0)} ms (${(p / count).toFixed(1)} ms/interaction), msa-verify ${messages ? 'messageContract' : 'httpContract'} ${o.toFixed(0)} ms (${(o / count).toFixed(1)} ms/interaction), ratio ${(o / p).toFixed(2)}`,
  );
}
if (counts.length > 1) {
  const growth = (side: 'peer' | 'ours') => {
    const list = perInteraction[side];
    return ((list.at(-1) ?? Number.NaN) / (list[0] ?? Number.NaN)).toFixed(2);
  };
  say(
    `time per interaction at N=${counts.at(-1)} over N=${counts[0]}: pact-js ${growth('peer')}, msa-verify ${growth('ours')}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
