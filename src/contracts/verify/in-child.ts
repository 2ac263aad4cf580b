import { fork } from 'node:child_process';
import { type ErrorCode, MsaVerifyError, type Problem } from '../../core/errors.js';
import type { ContractsRunResult } from '../../core/results.js';
import type { PactLogLevel } from './verify-provider.js';

/** What the CLI sends the verification child. */
export interface ChildRequest {
  readonly configFile?: string;
  readonly cwd: string;
  readonly provider?: string;
  /** Provider version for published results (`--provider-version`). */
  readonly providerVersion?: string;
  /** Pact's own log level. Default `error`. */
  readonly logLevel?: PactLogLevel;
}

/** What the verification child answers. */
export type ChildReply =
  | { readonly ok: true; readonly result: ContractsRunResult }
  | { readonly ok: false; readonly code?: ErrorCode; readonly message: string; readonly problems?: readonly Problem[] };

/** Sent by the child before it verifies a provider's local pacts: how many interactions follow. */
export interface ChildProgress {
  readonly planned: number;
}

/** Base of the `auto` bound of a verification, ms (10 minutes). */
export const VERIFY_TIMEOUT_BASE_MS = 600_000;
/** What the `auto` bound adds per interaction to verify, ms. */
export const VERIFY_TIMEOUT_PER_INTERACTION_MS = 1000;

/** Options for {@link runVerificationInChild}. */
export interface InChildOptions extends ChildRequest {
  /** Strings removed from anything the child reports or prints (the broker token, header secrets). */
  readonly redact?: readonly string[];
  /**
   * Hard limit for the whole verification, ms. Default: 10 minutes plus 1
   * second per interaction the child announces (the bound grows with the pacts).
   */
  readonly timeoutMs?: number;
  /** Environment of the child (config interpolation, provider commands). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Receives Pact's own output (its report and logs), line by line with
   * secrets removed. Without it that output is discarded.
   */
  readonly onPactOutput?: (line: string) => void;
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('***'), text);
}

/** Every string in a value, redacted (the structure stays intact). */
function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)])) as T;
  }
  return value;
}

/** The core's log line for verification results the broker refused or never got. */
const PUBLISH_FAILED = /Publishing of verification results failed with an error: (.*)$/;

/** Splits a stream into lines (a secret never straddles two chunks of output). */
function lines(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/** A verification child started ahead of its request (it loads Pact while the caller reads the config). */
export interface VerificationChild {
  /** Sends the request and returns the result, secrets removed; errors re-thrown as MsaVerifyError with their code. */
  run(options: InChildOptions): Promise<ContractsRunResult>;
  /** Stops the child (when the request will never come: a bad config). */
  kill(): void;
}

/**
 * Forks the verification child now; {@link VerificationChild.run} sends it
 * the request. Its output is shown only through `onPactOutput` of the run.
 */
export function forkVerificationChild(options: {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}): VerificationChild {
  const child = fork(new URL('./child.js', import.meta.url), [], {
    cwd: options.cwd,
    ...(options.env ? { env: options.env } : {}),
    // stdout is read even when not shown: the core logs a failed publication of results there.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Output and events that come before run() are kept for it.
  const early: { stdout: Buffer[]; stderr: Buffer[]; exit?: [number | null, NodeJS.Signals | null]; error?: Error } = {
    stdout: [],
    stderr: [],
  };
  const onOut = (d: Buffer) => early.stdout.push(d);
  const onErr = (d: Buffer) => early.stderr.push(d);
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    early.exit = [code, signal];
  };
  const onError = (e: Error) => {
    early.error = e;
  };
  child.stdout?.on('data', onOut);
  child.stderr?.on('data', onErr);
  child.once('exit', onExit);
  child.once('error', onError);
  return {
    kill: () => child.kill('SIGKILL'),
    run: (run) =>
      new Promise((resolve, reject) => {
        child.stdout?.off('data', onOut);
        child.stderr?.off('data', onErr);
        child.off('exit', onExit);
        child.off('error', onError);
        const secrets = (run.redact ?? []).filter((s) => s.length > 0);
        const show = run.onPactOutput;
        let stderr = '';
        // Pact's core reports a failed publication of verification results only
        // in its log, never in its result: that line is the one evidence there is.
        const unpublished: string[] = [];
        const line = (l: string) => {
          const failed = PUBLISH_FAILED.exec(l);
          if (failed && unpublished.length < 10) unpublished.push(failed[1]!.trim());
          show?.(redact(l, secrets));
        };
        const out = lines(line);
        const err = lines(line);
        const onStdout = (d: Buffer) => out.push(d);
        const onStderr = (d: Buffer) => {
          stderr = (stderr + d.toString()).slice(-4000);
          err.push(d);
        };
        for (const d of early.stdout) onStdout(d);
        for (const d of early.stderr) onStderr(d);
        child.stdout?.on('data', onStdout);
        child.stderr?.on('data', onStderr);
        let reply: ChildReply | undefined;
        const startedAt = performance.now();
        let boundMs = run.timeoutMs ?? VERIFY_TIMEOUT_BASE_MS;
        let timedOut = false;
        const arm = () =>
          setTimeout(
            () => {
              timedOut = true;
              child.kill('SIGKILL');
            },
            Math.max(0, boundMs - (performance.now() - startedAt)),
          );
        let timer = arm();
        let planned = 0;
        child.on('message', (m: ChildReply | ChildProgress) => {
          if ('planned' in m) {
            if (run.timeoutMs !== undefined) return;
            planned += m.planned;
            boundMs = VERIFY_TIMEOUT_BASE_MS + planned * VERIFY_TIMEOUT_PER_INTERACTION_MS;
            clearTimeout(timer);
            timer = arm();
            return;
          }
          reply = m;
        });
        const failed = (e: Error) => {
          clearTimeout(timer);
          reject(e);
        };
        const exited = (code: number | null, signal: NodeJS.Signals | null) => {
          clearTimeout(timer);
          out.end();
          err.end();
          if (!reply && timedOut) {
            reject(
              new MsaVerifyError(
                'MSAV_COMPONENT_UNAVAILABLE',
                `verification stopped after ${Math.round(boundMs / 1000)} s (${run.timeoutMs !== undefined ? 'contracts.verifyTimeout' : `the auto bound: 10 min + 1 s for each of ${planned} interactions`}); raise contracts.verifyTimeout if the pacts need longer`,
              ),
            );
          } else if (!reply) {
            reject(
              new MsaVerifyError(
                'MSAV_COMPONENT_UNAVAILABLE',
                `verification process ended (${signal ?? code}) without a result: ${redact(stderr.trim(), secrets).slice(-500)}`,
              ),
            );
          } else if (reply.ok && unpublished.length > 0) {
            const verdict = reply.result.passed ? 'passed' : 'failed';
            reject(
              new MsaVerifyError(
                'MSAV_BROKER_UNAVAILABLE',
                `verification ${verdict}, but the broker did not take its results (broker.publishVerificationResults), so can-i-deploy will not see them: ${redact(unpublished.join('; '), secrets).slice(0, 800)}`,
              ),
            );
          } else if (reply.ok) {
            resolve(redactDeep(reply.result, secrets));
          } else if (reply.code) {
            reject(
              new MsaVerifyError(reply.code, redact(reply.message, secrets), {
                problems: (reply.problems ?? []).map((p) => ({ ...p, message: redact(p.message, secrets) })),
              }),
            );
          } else {
            reject(new Error(redact(reply.message, secrets)));
          }
        };
        if (early.error) return failed(early.error);
        if (early.exit) return exited(...early.exit);
        child.once('error', failed);
        child.once('exit', exited);
        child.send({
          configFile: run.configFile,
          cwd: run.cwd,
          provider: run.provider,
          providerVersion: run.providerVersion,
          logLevel: run.logLevel,
        } satisfies ChildRequest);
      }),
  };
}

/**
 * Runs {@link runVerification} in a child Node process (stdout discarded
 * unless `onPactOutput` is given) and returns its result, secrets removed;
 * errors are re-thrown as MsaVerifyError with their code.
 */
export function runVerificationInChild(options: InChildOptions): Promise<ContractsRunResult> {
  return forkVerificationChild({
    cwd: options.cwd,
    ...(options.env ? { env: options.env } : {}),
  }).run(options);
}
