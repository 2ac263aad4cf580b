/**
 * JSON Schema of scenario files, or null until the scenario schema exists.
 * Kept in its own module so that `msa-verify schema` loads only the schema.
 */
export function scenarioJsonSchema(): Record<string, unknown> | null {
  return null;
}
