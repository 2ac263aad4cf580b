import { fork } from 'node:child_process';
import { type ErrorCode, MsaVerifyError, type Problem } from '../../core/errors.js';
import type { ContractsRunResult } from '../../core/results.js';

/** What the CLI sends the verification child. */
export interface ChildRequest {
  readonly configFile?: string;
  readonly cwd: string;
  readonly provider?: string;
}

/** What the verification child answers. */
export type ChildReply =
  | { readonly ok: true; readonly result: ContractsRunResult }
  | { readonly ok: false; readonly code?: ErrorCode; readonly message: string; readonly problems?: readonly Problem[] };

/** Options for {@link runVerificationInChild}. */
export interface InChildOptions extends ChildRequest {
  /** Strings removed from anything the child reports (e.g. the broker token). */
  readonly redact?: readonly string[];
  /** Hard limit for the whole verification, ms. Default 600000. */
  readonly timeoutMs?: number;
  /** Environment of the child (config interpolation, provider commands). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('***'), text);
}

/**
 * Runs {@link runVerification} in a child Node process (stdout discarded) and
 * returns its result; errors are re-thrown as MsaVerifyError with their code.
 */
export function runVerificationInChild(options: InChildOptions): Promise<ContractsRunResult> {
  const secrets = options.redact ?? [];
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./child.js', import.meta.url), [], {
      cwd: options.cwd,
      ...(options.env ? { env: options.env } : {}),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let reply: ChildReply | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('message', (m: ChildReply) => {
      reply = m;
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!reply) {
        reject(
          new MsaVerifyError(
            'MSAV_COMPONENT_UNAVAILABLE',
            `verification process ended (${signal ?? code}) without a result: ${redact(stderr.trim(), secrets).slice(-500)}`,
          ),
        );
      } else if (reply.ok) {
        resolve(reply.result);
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
    child.send({ configFile: options.configFile, cwd: options.cwd, provider: options.provider } satisfies ChildRequest);
  });
}
