import { type Address, addressProblems, urlAddress as url } from '../core/allow-list.js';
import type { DnsRef } from '../core/discovery/dns.js';
import { refServerUrl } from '../core/discovery/resolve-ref.js';
import type { DiscoveryRef } from '../core/discovery/schema.js';
import { MsaVerifyError, type Problem } from '../core/errors.js';
import { readInputFile, validateYamlText } from '../core/yaml-input.js';
import { type TraceCheck, TraceCheckSchema } from './schema.js';

/** A validated trace check and where it came from. */
export interface LoadedTraceCheck {
  readonly check: TraceCheck;
  /** Absolute path. */
  readonly file: string;
  /** Path relative to cwd, for messages and reports. */
  readonly display: string;
}

/**
 * Validates check text (after `${VAR:-default}` interpolation); every problem
 * is located. With `allowTargets`, every address the check sends to, reads
 * from or listens on must match it (the config's `chaos.allowTargets`).
 */
export function parseTraceCheckText(
  display: string,
  text: string,
  env: NodeJS.ProcessEnv,
  allowTargets?: readonly string[],
): { ok: true; value: TraceCheck } | { ok: false; problems: Problem[] } {
  const checked = validateYamlText(display, text, TraceCheckSchema, env);
  if (!checked.ok || !allowTargets) return checked;
  const problems = addressProblems(traceCheckAddresses(checked.value), allowTargets, display, checked.locate);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: checked.value };
}

/** Every address a check sends to, reads spans from, or listens on (the OTLP receiver). */
export function traceCheckAddresses(check: TraceCheck): Address[] {
  return [
    ...url('send.http.url', check.send.http?.url),
    ...serviceRefAddress(check.send.http?.service),
    ...url('send.message.rabbitmq.url', check.send.message?.rabbitmq.url),
    ...url('source.jaeger.url', check.source.jaeger?.url),
    ...(check.source.otlp
      ? [{ path: 'source.otlp.port', hostPort: `127.0.0.1:${check.source.otlp.port}`, listen: true }]
      : []),
  ];
}

/**
 * Reads and validates a trace check file.
 * @throws MsaVerifyError `MSAV_TRACE_CHECK_INVALID` with every located problem (exit 2).
 */
export async function loadTraceCheck(
  file: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; allowTargets?: readonly string[] } = {},
): Promise<LoadedTraceCheck> {
  const {
    file: abs,
    display,
    text,
  } = await readInputFile(file, options.cwd ?? process.cwd(), 'MSAV_TRACE_CHECK_INVALID', 'trace check file');
  const result = parseTraceCheckText(display, text, options.env ?? process.env, options.allowTargets);
  if (!result.ok) {
    throw new MsaVerifyError('MSAV_TRACE_CHECK_INVALID', `${display}: ${result.problems.length} problem(s)`, {
      problems: result.problems,
    });
  }
  return { check: result.value, file: abs, display };
}

/** Problems of one trace check file (empty when valid), its addresses checked against `allowTargets`; for `msa-verify validate`. */
export async function traceCheckProblems(
  file: string,
  cwd: string,
  allowTargets: readonly string[],
): Promise<readonly Problem[]> {
  try {
    await loadTraceCheck(file, { cwd, allowTargets });
    return [];
  } catch (error) {
    if (error instanceof MsaVerifyError) return error.problems;
    throw error;
  }
}

/** True when a parsed YAML document looks like a trace check (it has `send` and `expect`), not a scenario. */
export function looksLikeTraceCheck(text: string): boolean {
  return /^send:/m.test(text) && /^expect:/m.test(text);
}

/** The registry or DNS server a `send.http.service` reference reads (what it names is known only when the check runs). */
function serviceRefAddress(ref: DiscoveryRef | DnsRef | undefined): Address[] {
  if (!ref) return [];
  const server = refServerUrl(ref);
  const path = `send.http.service.${server.field}`;
  return 'url' in server ? url(path, server.url) : [{ path, hostPort: server.hostPort }];
}
