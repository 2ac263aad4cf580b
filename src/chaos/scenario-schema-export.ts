import { expectationRegistry } from './expectations/registry.js';
import { buildScenarioJsonSchema } from './scenario/json-schema.js';

/**
 * JSON Schema of scenario files. Kept in its own module so that
 * `msa-verify schema` loads only the schema code.
 */
export function scenarioJsonSchema(): Record<string, unknown> | null {
  return buildScenarioJsonSchema(expectationRegistry);
}
