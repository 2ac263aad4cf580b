import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configJsonSchema } from '../core/config/schema.js';
import { MsaVerifyError } from '../core/errors.js';

/** JSON Schemas this project publishes, by file name. */
export async function buildSchemas(): Promise<Record<string, Record<string, unknown>>> {
  const schemas: Record<string, Record<string, unknown>> = {
    'msa-verify.config.schema.json': configJsonSchema(),
  };
  const { scenarioJsonSchema } = await import('../chaos/scenario-schema-export.js');
  const scenario = scenarioJsonSchema();
  if (scenario) schemas['msa-verify.scenario.schema.json'] = scenario;
  const { traceCheckJsonSchema } = await import('../trace/schema.js');
  schemas['msa-verify.trace.schema.json'] = traceCheckJsonSchema();
  return schemas;
}

/** Options for {@link writeSchemas}. */
export interface WriteSchemasOptions {
  /** Output folder. Default `schema`. */
  readonly out?: string;
  /** Folder a relative `out` is resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** Outcome of {@link writeSchemas}: the files written, as given (relative to `cwd` when `out` is). */
export interface WriteSchemasResult {
  readonly files: readonly string[];
}

/** Writes every JSON Schema (config, scenario) into the output folder. */
export async function writeSchemas(options: WriteSchemasOptions = {}): Promise<WriteSchemasResult> {
  const out = options.out ?? 'schema';
  const dir = path.resolve(options.cwd ?? process.cwd(), out);
  const files: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, schema] of Object.entries(await buildSchemas())) {
      await writeFile(path.join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
      files.push(path.join(out, name));
    }
  } catch (cause) {
    throw new MsaVerifyError('MSAV_USAGE', `cannot write the schemas to ${out}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return { files };
}
