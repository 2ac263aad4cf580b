import { describe, expect, it } from 'vitest';
import { createExporters, LazyExporter } from '../../src/instrument/export/exporters.ts';
import { readSettings } from '../../src/instrument/settings.ts';

const settings = readSettings(
  { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'otlp,console' },
  () => {},
);

describe('exporters', () => {
  it('a missing exporter package is a warning, and the other exporters still start', () => {
    const warnings: string[] = [];
    const fakeRequire = Object.assign(
      (id: string) => {
        throw new Error(`Cannot find module '${id}'`);
      },
      {
        resolve: (id: string) => {
          throw new Error(`Cannot find module '${id}'`);
        },
      },
    ) as unknown as NodeJS.Require;
    const exporters = createExporters(settings, fakeRequire, (m) => warnings.push(m));
    expect(exporters.map((e) => e.name)).toEqual(['console']);
    expect(warnings).toEqual([expect.stringContaining('exporter otlp unavailable')]);
  });

  it('the lazy OTLP exporter is created at the first export; a creation failure fails that export only', async () => {
    let created = 0;
    const lazy = new LazyExporter(() => {
      created++;
      throw new Error('no protobuf');
    });
    expect(created).toBe(0);
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => lazy.export([], resolve));
    expect(result.code).toBe(1);
    expect(result.error?.message).toBe('no protobuf');
    await expect(lazy.shutdown()).resolves.toBeUndefined();
  });
});
