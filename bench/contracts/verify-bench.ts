// Shared body of bench/contracts/verify-200.ts and verify-1000.ts: verifies a
// generated V4 pact of N HTTP interactions (each with a provider state)
// against a local provider, in the same run: pact-js's Verifier directly (the
// peer), msa-verify's library (verifyProvider), the msa-verify CLI
// (`contracts verify`: a new process, config loading, a verification child)
// with `shards: 1` (the default) and with `shards: auto`. The provider
// (items-provider.ts) runs in a process of its own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { verifyProvider } from '../../dist/contracts/index.js';

/** What one bench run measures. */
export type Mode = 'peer' | 'lib' | 'cli' | 'cli-shards' | 'cli-nocache';
export const ALL_MODES: readonly Mode[] = ['peer', 'lib', 'cli', 'cli-shards'];
/** Modes run only when named: the CLI with V8's compile cache turned off (what it cost before the cache). */
const EXTRA_MODES: readonly Mode[] = ['cli-nocache'];

const LABEL: Record<Mode, string> = {
  peer: 'pact-js Verifier (peer)',
  lib: 'msa-verify verifyProvider (lib)',
  cli: 'msa-verify contracts verify (CLI, shards: 1)',
  'cli-shards': 'msa-verify contracts verify (CLI, shards: auto)',
  'cli-nocache': 'msa-verify contracts verify (CLI, 1, no compile cache)',
};

const root = path.resolve(import.meta.dirname, '../..');
const say = (s: string) => process.stderr.write(`${s}\n`);

/** Runs the bench and prints (stderr) the median wall time of each mode and its ratio to the peer. */
export async function runVerifyBench(count: number, runs: number, modes: readonly Mode[] = ALL_MODES): Promise<void> {
  // The provider runs in its own process for every mode, as a real provider
  // does (in the bench's process it would spare the peer, whose proxy runs
  // there too, a process switch per request).
  const provider = spawn(process.execPath, [path.join(import.meta.dirname, 'items-provider.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    provider.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    provider.once('exit', (code) => reject(new Error(`the bench provider exited (${code})`)));
  });
  const url = `http://127.0.0.1:${port}`;

  const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-bench-'));
  const pactDir = path.join(dir, 'pacts');
  await mkdir(pactDir);
  const interactions = Array.from({ length: count }, (_, n) => ({
    type: 'Synchronous/HTTP',
    description: `get item ${n}`,
    providerStates: [{ name: 'items exist', params: { n } }],
    request: { method: 'GET', path: `/items/${n}` },
    response: {
      status: 200,
      headers: { 'content-type': ['application/json'] },
      body: {
        contentType: 'application/json',
        encoded: false,
        content: { id: n, name: `item-${n}`, priceCents: n * 10, tags: ['a', 'b'] },
      },
      matchingRules: { body: { '$.name': { combine: 'AND', matchers: [{ match: 'type' }] } } },
    },
  }));
  const pactFile = path.join(pactDir, 'bench-consumer-bench-provider.json');
  await writeFile(
    pactFile,
    JSON.stringify({
      consumer: { name: 'bench-consumer' },
      provider: { name: 'bench-provider' },
      interactions,
      metadata: { pactSpecification: { version: '4.0' } },
    }),
  );
  // The CLI gets the same state handler as the peer, from a provider module (a state without a handler fails).
  await writeFile(
    path.join(dir, 'provider.mjs'),
    "export const stateHandlers = { 'items exist': async () => undefined };\n",
  );
  const config = (shards: string) =>
    `version: 1\ncontracts:\n  pactDir: pacts\n  providers:\n    bench-provider:\n      url: ${url}\n      module: provider.mjs\n      shards: ${shards}\n`;
  await writeFile(path.join(dir, 'one.yaml'), config('1'));
  await writeFile(path.join(dir, 'auto.yaml'), config('auto'));
  const stateHandlers = { 'items exist': async () => undefined };

  // CPU time of the CLI and every process it starts, from GNU time (which
  // waits for the CLI; the CLI waits for its verification process, which waits
  // for its workers); NaN where /usr/bin/time is missing.
  const hasTime = existsSync('/usr/bin/time');
  let cliCpuMs = Number.NaN;
  const cli = async (configFile: string, env: NodeJS.ProcessEnv = process.env) => {
    const args = [path.join(root, 'dist/cli/main.js'), 'contracts', 'verify', '--config', configFile];
    // async spawn: the bench keeps running while the CLI verifies
    const child = hasTime
      ? spawn('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, ...args], {
          cwd: dir,
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
        })
      : spawn(process.execPath, args, { cwd: dir, env, stdio: 'ignore' });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (status !== 0) throw new Error(`msa-verify contracts verify exited ${status}: ${err.slice(-500)}`);
    const m = /cpu ([\d.]+) ([\d.]+)/.exec(err);
    cliCpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN;
  };
  const run: Record<Mode, () => Promise<void>> = {
    peer: async () => {
      const out = await new Verifier({
        provider: 'bench-provider',
        providerBaseUrl: url,
        pactUrls: [pactFile],
        stateHandlers,
        logLevel: 'error',
      }).verifyProvider();
      if (!JSON.parse(out).result) throw new Error('peer verification failed');
    },
    lib: async () => {
      const [pair] = await verifyProvider({ provider: 'bench-provider', url, pactFiles: [pactFile], stateHandlers });
      if (!pair?.passed || pair.interactions.length !== count) throw new Error('msa-verify verification failed');
    },
    cli: () => cli(path.join(dir, 'one.yaml')),
    'cli-shards': () => cli(path.join(dir, 'auto.yaml')),
    'cli-nocache': () => cli(path.join(dir, 'one.yaml'), { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' }),
  };
  const times = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  const cpu = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  // Rotate the order each run so that warm-up and machine noise do not favour one side.
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(i + k) % modes.length] as Mode;
      const start = performance.now();
      const ownCpu = process.cpuUsage();
      await run[mode]();
      times.get(mode)?.push(performance.now() - start);
      // In-process modes: this process's CPU (the provider runs elsewhere); the CLI: its processes' CPU.
      const used = process.cpuUsage(ownCpu);
      cpu.get(mode)?.push(mode === 'peer' || mode === 'lib' ? (used.user + used.system) / 1000 : cliCpuMs);
    }
  }
  provider.stdin.end();
  await rm(dir, { recursive: true, force: true });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const peer = times.has('peer') ? median(times.get('peer') ?? []) : undefined;
  const peerCpu = times.has('peer') ? median(cpu.get('peer') ?? []) : undefined;
  // Pact's core prints its own report on stdout; the summary goes to stderr so it stays readable.
  say(
    `node ${process.version}, ${count} interactions, ${runs} runs each, median wall time and CPU time, ${os.availableParallelism()} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const mode of modes) {
    const all = times.get(mode) ?? [];
    const m = median(all);
    const ratio = peer && mode !== 'peer' ? `   ratio ${(m / peer).toFixed(2)}` : '';
    const c = median(cpu.get(mode) ?? []);
    const cpuRatio = peerCpu && mode !== 'peer' ? `, ratio ${(c / peerCpu).toFixed(2)}` : '';
    say(
      `${LABEL[mode].padEnd(48)} ${m.toFixed(0).padStart(7)} ms  ${((m / count) * 1000).toFixed(0).padStart(6)} us/interaction${ratio}   (runs: ${all.map((t) => t.toFixed(0)).join(', ')})   cpu ${c.toFixed(0)} ms${cpuRatio}`,
    );
  }
}

/** `node bench/contracts/verify-N.ts [runs] [modes,comma,separated]` */
export function parseArgs(argv: readonly string[]): { runs: number; modes: Mode[] } {
  const runs = Number(argv[0] ?? 3);
  const modes = (argv[1]?.split(',') ?? [...ALL_MODES]) as Mode[];
  const bad = modes.filter((m) => !ALL_MODES.includes(m) && !EXTRA_MODES.includes(m));
  if (!Number.isInteger(runs) || runs < 1 || bad.length > 0) {
    say(`usage: [runs >= 1] [modes from ${[...ALL_MODES, ...EXTRA_MODES].join(',')}]`);
    process.exit(2);
  }
  return { runs, modes };
}
