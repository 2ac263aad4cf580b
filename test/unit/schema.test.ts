import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchemas } from '../../src/app/schema.js';
import { ROOT } from '../support/services.js';

describe('published JSON Schemas', () => {
  it('match the zod schemas (run `npm run schema` after changing them)', async () => {
    for (const [name, schema] of Object.entries(await buildSchemas())) {
      const committed = JSON.parse(await readFile(path.join(ROOT, 'schema', name), 'utf8'));
      expect(committed, `schema/${name} is stale`).toEqual(schema);
    }
  });

  it('describe the config file strictly', async () => {
    const schema = (await buildSchemas())['msa-verify.config.schema.json'] as {
      additionalProperties: boolean;
      required: string[];
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toContain('version');
  });
});
