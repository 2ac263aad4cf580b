import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { interpolateEnv } from './config/interpolate.js';
import { type ErrorCode, MsaVerifyError, type Problem } from './errors.js';
import { validateSource } from './validate.js';
import { parseYamlSource } from './yaml-source.js';

// Input files other than the config (scenarios, trace checks) are read and
// validated the same way: a missing file is a located problem, the text is
// parsed as YAML, `${VAR:-default}` interpolated, and checked with its schema.

/** 1-based line and column of a field of a parsed file. */
export type Locate = (path: readonly PropertyKey[]) => { line: number; column: number };

/** A file that was read, and how to name it in messages. */
export interface InputFile {
  /** Absolute path. */
  readonly file: string;
  /** Path relative to cwd (absolute outside it), for messages and reports. */
  readonly display: string;
  readonly text: string;
}

/**
 * Reads an input file.
 * @throws MsaVerifyError `code` with a problem at 1:1 when it cannot be read (exit 2 for input codes).
 */
export async function readInputFile(file: string, cwd: string, code: ErrorCode, kind: string): Promise<InputFile> {
  const abs = path.resolve(cwd, file);
  const display = path.relative(cwd, abs) || abs;
  try {
    return { file: abs, display, text: await readFile(abs, 'utf8') };
  } catch (cause) {
    throw new MsaVerifyError(code, `${kind} not found: ${display}`, {
      cause,
      problems: [{ file: display, line: 1, column: 1, path: '', message: 'file not found or unreadable' }],
    });
  }
}

/** Parses YAML text, interpolates `${VAR:-default}` and validates it; every problem is located. */
export function validateYamlText<S extends z.ZodType>(
  display: string,
  text: string,
  schema: S,
  env: NodeJS.ProcessEnv,
): { ok: true; value: z.output<S>; locate: Locate } | { ok: false; problems: Problem[] } {
  const source = parseYamlSource(display, text);
  const value = source.syntaxProblems.length > 0 ? undefined : interpolateEnv(source.value, env);
  const result = validateSource(source, schema, value);
  return result.ok ? { ...result, locate: (p) => source.locate(p) } : result;
}
