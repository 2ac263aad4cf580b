import type { z } from 'zod';
import type { Problem } from './errors.js';
import type { YamlSource } from './yaml-source.js';

/** Result of validating a parsed source against a schema. */
export type ValidateResult<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/**
 * Validates the value of a YAML source with a zod schema and turns every issue
 * into a located {@link Problem}. All issues are reported, not only the first.
 */
export function validateSource<S extends z.ZodType>(
  source: YamlSource,
  schema: S,
  value: unknown = source.value,
): ValidateResult<z.output<S>> {
  if (source.syntaxProblems.length > 0) return { ok: false, problems: [...source.syntaxProblems] };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems: Problem[] = [];
  for (const issue of parsed.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? [...issue.path] : [...issue.path, key];
      const { line, column } = source.locate(path, key !== undefined);
      const message = key === undefined ? issue.message : `unknown key "${key}"`;
      problems.push({ file: source.file, line, column, path: path.map(String).join('.'), message });
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}
