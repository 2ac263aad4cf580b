// A trace check's addresses (where it sends, where it reads spans, where it
// listens) are checked against chaos.allowTargets like every other address
// msa-verify connects to: offline in `validate`, at the field's line and column.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/app/validate.js';
import { formatProblem } from '../../src/core/errors.js';
import { parseTraceCheckText } from '../../src/trace/load.js';

const allow = ['127.0.0.1:*', 'localhost:*'];

function check(over: { url?: string; source?: string } = {}): string {
  return `version: 1
name: lookup
send:
  http:
    url: ${over.url ?? 'http://127.0.0.1:8080/api/products/p-2'}
source:
${over.source ?? '  jaeger:\n    url: http://127.0.0.1:16686'}
expect:
  root: gateway
`;
}

function problems(text: string): string[] {
  const parsed = parseTraceCheckText('t.yaml', text, {}, allow);
  return parsed.ok ? [] : parsed.problems.map(formatProblem);
}

describe('trace checks: every address against chaos.allowTargets', () => {
  it('accepts loopback addresses', () => {
    expect(problems(check())).toEqual([]);
    expect(problems(check({ source: '  otlp:\n    port: 4319' }))).toEqual([]);
  });

  it('refuses a request target, a Jaeger and an OTLP listener outside the list, each at its field', () => {
    expect(problems(check({ url: 'http://shop.example/api' }))).toEqual([
      't.yaml:5:10  send.http.url  shop.example:80 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
    ]);
    expect(problems(check({ source: '  jaeger:\n    url: https://jaeger.example' }))).toEqual([
      't.yaml:8:10  source.jaeger.url  jaeger.example:443 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)',
    ]);
    expect(parseTraceCheckText('t.yaml', check({ url: 'http://shop.example/api' }), {}).ok).toBe(true);
  });

  it('validate reports them with the config allow-list, and accepts them once allowed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'msav-trace-allow-'));
    await mkdir(path.join(dir, 'traces'));
    await writeFile(path.join(dir, 'traces', 'lookup.yaml'), check({ url: 'http://10.1.2.3:8080/api' }));
    await writeFile(path.join(dir, 'msa-verify.config.yaml'), 'version: 1\n');
    const refused = await validate({ cwd: dir });
    expect(refused.ok).toBe(false);
    expect(refused.files.flatMap((f) => f.problems.map(formatProblem))).toEqual([
      `${path.join('traces', 'lookup.yaml')}:5:10  send.http.url  10.1.2.3:8080 is not in chaos.allowTargets (127.0.0.1:*, localhost:*)`,
    ]);
    await writeFile(
      path.join(dir, 'msa-verify.config.yaml'),
      "version: 1\nchaos:\n  allowTargets: ['127.0.0.1:*', '10.1.2.3:8080']\n",
    );
    expect((await validate({ cwd: dir })).ok).toBe(true);
  });
});
