import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Address, addressProblems, hostPortOfUrl } from '../core/allow-list.js';
import { interpolateEnv } from '../core/config/interpolate.js';
import { MsaVerifyError, type Problem } from '../core/errors.js';
import { validateSource } from '../core/validate.js';
import { parseYamlSource } from '../core/yaml-source.js';
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
  const source = parseYamlSource(display, text);
  const value = source.syntaxProblems.length > 0 ? undefined : interpolateEnv(source.value, env);
  const checked = validateSource(source, TraceCheckSchema, value);
  if (!checked.ok || !allowTargets) return checked;
  const problems = addressProblems(traceCheckAddresses(checked.value), allowTargets, display, (path) =>
    source.locate(path),
  );
  return problems.length > 0 ? { ok: false, problems } : checked;
}

/** Every address a check sends to, reads spans from, or listens on (the OTLP receiver). */
export function traceCheckAddresses(check: TraceCheck): Address[] {
  const url = (path: string, value: string | undefined): Address[] => {
    const hostPort = value === undefined ? null : hostPortOfUrl(value);
    return hostPort ? [{ path, hostPort }] : [];
  };
  return [
    ...url('send.http.url', check.send.http?.url),
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
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const display = path.relative(cwd, abs) || abs;
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (cause) {
    throw new MsaVerifyError('MSAV_TRACE_CHECK_INVALID', `trace check file not found: ${display}`, {
      cause,
      problems: [{ file: display, line: 1, column: 1, path: '', message: 'file not found or unreadable' }],
    });
  }
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
