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

/**
 * Runs {@link runVerification} in a child Node process (stdout discarded
 * unless `onPactOutput` is given) and returns its result, secrets removed;
 * errors are re-thrown as MsaVerifyError with their code.
 */
export function runVerificationInChild(options: InChildOptions): Promise<ContractsRunResult> {
  const secrets = (options.redact ?? []).filter((s) => s.length > 0);
  const show = options.onPactOutput;
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./child.js', import.meta.url), [], {
      cwd: options.cwd,
      ...(options.env ? { env: options.env } : {}),
      stdio: ['ignore', show ? 'pipe' : 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    const out = show ? lines((l) => show(redact(l, secrets))) : undefined;
    const err = show ? lines((l) => show(redact(l, secrets))) : undefined;
    child.stdout?.on('data', (d: Buffer) => out?.push(d));
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      err?.push(d);
    });
    let reply: ChildReply | undefined;
    const startedAt = performance.now();
    let boundMs = options.timeoutMs ?? VERIFY_TIMEOUT_BASE_MS;
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
        if (options.timeoutMs !== undefined) return;
        planned += m.planned;
        boundMs = VERIFY_TIMEOUT_BASE_MS + planned * VERIFY_TIMEOUT_PER_INTERACTION_MS;
        clearTimeout(timer);
        timer = arm();
        return;
      }
      reply = m;
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      out?.end();
      err?.end();
      if (!reply && timedOut) {
        reject(
          new MsaVerifyError(
            'MSAV_COMPONENT_UNAVAILABLE',
            `verification stopped after ${Math.round(boundMs / 1000)} s (${options.timeoutMs !== undefined ? 'contracts.verifyTimeout' : `the auto bound: 10 min + 1 s for each of ${planned} interactions`}); raise contracts.verifyTimeout if the pacts need longer`,
          ),
        );
      } else if (!reply) {
        reject(
          new MsaVerifyError(
            'MSAV_COMPONENT_UNAVAILABLE',
            `verification process ended (${signal ?? code}) without a result: ${redact(stderr.trim(), secrets).slice(-500)}`,
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
    });
    child.send({
      configFile: options.configFile,
      cwd: options.cwd,
      provider: options.provider,
      providerVersion: options.providerVersion,
      logLevel: options.logLevel,
    } satisfies ChildRequest);
  });
}
