import { z } from 'zod';
import { type ExpectationCatalog, ScenarioBaseSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of scenario files, for editors. With a catalog,
 * each expectation entry is described by its type's parameters.
 */
export function buildScenarioJsonSchema(catalog?: ExpectationCatalog): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioBaseSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  if (catalog && catalog.size > 0) {
    const entries = [...catalog].map(([type, def]) => {
      const params = z.toJSONSchema(def.params, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
      const { $schema: _s, ...rest } = params as Record<string, unknown>;
      const properties = {
        type: { const: type },
        name: { type: 'string' },
        ...((rest.properties as Record<string, unknown> | undefined) ?? {}),
      };
      const required = ['type', ...((rest.required as string[] | undefined) ?? [])];
      return { ...rest, type: 'object', properties, required, additionalProperties: false };
    });
    replaceExpectationEntries(schema, { oneOf: entries });
  }
  return {
    ...schema,
    $id: 'https://msa-verify.dev/schema/msa-verify.scenario.schema.json',
    title: 'msa-verify chaos scenario',
  };
}

// Every phase variant has `expect.items`; swap the loose envelope for the typed union.
function replaceExpectationEntries(schema: Record<string, unknown>, items: Record<string, unknown>): void {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const props = record.properties as Record<string, Record<string, unknown>> | undefined;
    if (props?.expect && props.kind && typeof props.expect === 'object') props.expect.items = items;
    for (const v of Object.values(record)) walk(v);
  };
  walk(schema);
}
