// A real DNS server for the shop (dnsmasq from Debian's dnsmasq-base) on a
// loopback port, answering only for the shop's domain: one SRV record
// `_<service>._tcp.<domain>` -> `<service>.<domain>:<port>` and one A record
// `<service>.<domain>` -> 127.0.0.1 per service, with a 1 s TTL (callers that
// honour the TTL notice a change within a second). Started by the launcher
// once the services' ports are known; stopped with the shop.
import { type ChildProcess, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';

/** A running DNS server. */
export interface ShopDns {
  /** `127.0.0.1:<port>`: what to give a resolver. */
  readonly server: string;
  readonly domain: string;
  stop(): Promise<void>;
  /** Kills it at once (process exit). */
  killNow(): void;
}

function dnsmasqBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(`${dir}/dnsmasq`)) return `${dir}/dnsmasq`;
  }
  throw new Error('dnsmasq is not installed (Debian package dnsmasq-base; scripts/setup installs it)');
}

/** Starts dnsmasq on 127.0.0.1:`port` with the records of `services` (name -> port); waits until it answers. */
export async function startShopDns(port: number, domain: string, services: Record<string, number>): Promise<ShopDns> {
  const records = Object.entries(services).flatMap(([name, p]) => [
    `--srv-host=_${name}._tcp.${domain},${name}.${domain},${p}`,
    `--host-record=${name}.${domain},127.0.0.1`,
  ]);
  const child: ChildProcess = spawn(
    dnsmasqBinary(),
    [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      `--local=/${domain}/`,
      '--local-ttl=1',
      '--pid-file=',
      '--log-facility=-',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ...records,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const server = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([server]);
  const first = Object.keys(services)[0];
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${output}`);
    try {
      if (!first || (await resolver.resolveSrv(`_${first}._tcp.${domain}`)).length > 0) break;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      killNow();
      throw new Error(`dnsmasq did not answer on ${server} within 10 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    server,
    domain,
    killNow,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      killNow();
    },
  };
}
