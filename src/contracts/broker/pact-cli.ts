import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MsaVerifyError } from '../../core/errors.js';

// Pact's own broker client: the `pact` binary shipped by @pact-foundation/pact-cli
// (a prebuilt per-platform package). The token goes to the child through the
// environment (PACT_BROKER_TOKEN), never on the command line, and is removed
// from anything the client prints.

/** Connection to a Pact Broker. */
export interface BrokerConnection {
  readonly url: string;
  /** Bearer token, or undefined for an open broker. */
  readonly token?: string;
  /** Basic-authentication user name (instead of a token). */
  readonly username?: string;
  /** Basic-authentication password; never printed. */
  readonly password?: string;
  /** Retries per request (Pact CLI `--retries`). Default 1. */
  readonly retries?: number;
  /** Hard limit per broker command, ms. Default 60000. */
  readonly timeoutMs?: number;
}

/** What one broker command printed (token already removed). */
export interface BrokerCommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Absolute path of the `pact` binary from @pact-foundation/pact-cli. */
export function pactCliBinary(): string {
  const require = createRequire(import.meta.url);
  const mod = require('@pact-foundation/pact-cli/src/pact-standalone') as {
    standalone: () => { pactFullPath: string };
  };
  return mod.standalone().pactFullPath;
}

function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>((t, s) => (s ? t.split(s).join('***') : t), text);
}

const UNREACHABLE = /connection refused|error sending request|dns error|tcp connect error|timed out|connect error/i;

/**
 * Runs `pact broker <args>` with the broker URL and token.
 * @throws MsaVerifyError `MSAV_BROKER_UNAVAILABLE` when the broker cannot be reached.
 */
export function runBrokerCommand(connection: BrokerConnection, args: readonly string[]): Promise<BrokerCommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PACT_BROKER_TOKEN;
  delete env.PACT_BROKER_USERNAME;
  delete env.PACT_BROKER_PASSWORD;
  if (connection.token) env.PACT_BROKER_TOKEN = connection.token;
  if (connection.username) env.PACT_BROKER_USERNAME = connection.username;
  if (connection.password) env.PACT_BROKER_PASSWORD = connection.password;
  return new Promise((resolve, reject) => {
    const child = spawn(
      pactCliBinary(),
      ['broker', ...args, '--broker-base-url', connection.url, '--retries', String(connection.retries ?? 1)],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), connection.timeoutMs ?? 60_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new MsaVerifyError('MSAV_COMPONENT_UNAVAILABLE', `cannot run the Pact CLI: ${e.message}`, { cause: e }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const result = {
        exitCode: code ?? 1,
        stdout: redact(stdout, [connection.token, connection.password]),
        stderr: redact(stderr, [connection.token, connection.password]),
      };
      if (result.exitCode !== 0 && UNREACHABLE.test(`${result.stdout}\n${result.stderr}`)) {
        reject(
          new MsaVerifyError(
            'MSAV_BROKER_UNAVAILABLE',
            `Pact Broker unreachable at ${connection.url}: ${(result.stderr || result.stdout).trim().split('\n').slice(-1)[0] ?? ''}`,
          ),
        );
        return;
      }
      resolve(result);
    });
  });
}

/** Options for {@link publishPacts}. */
export interface PublishOptions {
  /** Folder (or files) with the pacts. */
  readonly pactDir: string;
  readonly consumerVersion: string;
  readonly branch?: string;
}

/** Outcome of {@link publishPacts}. */
export interface PublishResult {
  readonly ok: boolean;
  /** Client output, token removed. */
  readonly output: string;
}

/** Publishes pacts with `pact broker publish`. */
export async function publishPacts(connection: BrokerConnection, options: PublishOptions): Promise<PublishResult> {
  // The pact files only: Pact's CLI would take every .json of the folder, and gRPC
  // contracts (`*.grpc.json`, verified by msa-verify itself) are no pacts for a broker.
  const files = (await readdir(options.pactDir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.grpc.json'))
    .sort()
    .map((f) => path.join(options.pactDir, f));
  if (files.length === 0) {
    return {
      ok: false,
      output: `no pact files to publish in ${options.pactDir} (gRPC contracts, *.grpc.json, stay local)`,
    };
  }
  const args = ['publish', ...files, '--consumer-app-version', options.consumerVersion];
  if (options.branch) args.push('--branch', options.branch);
  const r = await runBrokerCommand(connection, args);
  return { ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Options for {@link canIDeploy}. */
export interface CanIDeployOptions {
  readonly pacticipant: string;
  readonly version: string;
  /** Target environment. Default `production`. */
  readonly environment?: string;
}

/** Outcome of {@link canIDeploy}. */
export interface CanIDeployResult {
  readonly deployable: boolean;
  /** The broker's reason, as it worded it. */
  readonly reason: string;
  readonly output: string;
}

/** Asks the broker whether a version may be deployed, with `pact broker can-i-deploy --output json`. */
export async function canIDeploy(connection: BrokerConnection, options: CanIDeployOptions): Promise<CanIDeployResult> {
  const args = [
    'can-i-deploy',
    '--pacticipant',
    options.pacticipant,
    '--version',
    options.version,
    '--to-environment',
    options.environment ?? 'production',
    '--output',
    'json',
  ];
  const r = await runBrokerCommand(connection, args);
  const output = `${r.stdout}${r.stderr}`.trim();
  try {
    const parsed = JSON.parse(r.stdout) as { summary?: { deployable?: boolean | null; reason?: string } };
    return { deployable: parsed.summary?.deployable === true, reason: parsed.summary?.reason ?? '', output };
  } catch {
    return { deployable: false, reason: output.split('\n').slice(-1)[0] ?? 'no answer', output };
  }
}
