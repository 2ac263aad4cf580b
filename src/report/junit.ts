import type { ChaosRunResult, ContractsRunResult } from '../core/results.js';
import type { TraceCheckResult } from '../core/trace-results.js';
import { writeFileAtomic } from '../core/write-file-atomic.js';
import type { RunResult } from './types.js';

interface Case {
  readonly classname: string;
  readonly name: string;
  readonly seconds: number;
  readonly failure?: { message: string; details: string };
}

interface Suite {
  readonly name: string;
  readonly timestamp: number;
  readonly seconds: number;
  readonly cases: readonly Case[];
}

/**
 * JUnit XML as CI systems read it: one `<testsuite>` per contract pair or
 * chaos scenario, one `<testcase>` per interaction or per expectation and phase.
 */
export function toJunitXml(results: readonly RunResult[]): string {
  const suites = results.flatMap((r) =>
    r.kind === 'chaos' ? [chaosSuite(r)] : r.kind === 'trace' ? [traceSuite(r)] : contractSuites(r),
  );
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => c.failure).length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="msa-verify" tests="${tests}" failures="${failures}">`,
  ];
  for (const s of suites) {
    const failed = s.cases.filter((c) => c.failure).length;
    lines.push(
      `  <testsuite name="${xml(s.name)}" tests="${s.cases.length}" failures="${failed}" errors="0" time="${s.seconds.toFixed(3)}" timestamp="${new Date(s.timestamp).toISOString()}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}"`;
      if (!c.failure) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      lines.push(`      <failure message="${xml(c.failure.message)}">${xml(c.failure.details)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** Writes {@link toJunitXml} to a file, atomically. */
export async function writeJunitReport(file: string, results: readonly RunResult[]): Promise<void> {
  await writeFileAtomic(file, toJunitXml(results));
}

function chaosSuite(r: ChaosRunResult): Suite {
  const cases: Case[] = r.phases.flatMap((phase) =>
    phase.verdicts.map((v) => ({
      classname: `chaos.${r.scenario}.${phase.name}`,
      name: v.name,
      seconds: (phase.endedAt - phase.startedAt) / 1000,
      ...(v.passed
        ? {}
        : {
            failure: { message: v.message, details: `observed ${v.observed ?? 'nothing'} ${v.unit}, bound ${v.bound}` },
          }),
    })),
  );
  if (!r.rolledBack) {
    cases.push({
      classname: `chaos.${r.scenario}`,
      name: 'rollback',
      seconds: 0,
      failure: { message: 'faults were not all removed', details: `run ${r.runId}: run "msa-verify chaos reset"` },
    });
  }
  return { name: `chaos ${r.scenario}`, timestamp: r.startedAt, seconds: (r.endedAt - r.startedAt) / 1000, cases };
}

function traceSuite(r: TraceCheckResult): Suite {
  return {
    name: `trace ${r.check}`,
    timestamp: r.startedAt,
    seconds: (r.endedAt - r.startedAt) / 1000,
    cases: r.verdicts.map((v) => ({
      classname: `trace.${r.check}.${v.rule}`,
      name: v.name,
      seconds: 0,
      ...(v.passed
        ? {}
        : {
            failure: {
              message: v.message,
              details: `observed ${v.observed ?? 'nothing'} ${v.unit}, bound ${v.bound}; correlation id ${r.correlationId}, trace ${r.traceId ?? 'none'}`,
            },
          }),
    })),
  };
}

function contractSuites(r: ContractsRunResult): Suite[] {
  const unverified: Suite[] = (r.withoutPacts ?? []).map((w) => ({
    name: `contract ${w.provider} (no pacts)`,
    timestamp: r.startedAt,
    seconds: 0,
    cases: [
      {
        classname: `contracts.${w.provider}`,
        name: 'has pacts to verify',
        seconds: 0,
        ...(w.allowed
          ? {}
          : {
              failure: {
                message: `no pact to verify for provider ${w.provider}`,
                details: `set contracts.providers.${w.provider}.allowNoPacts: true if it may have none`,
              },
            }),
      },
    ],
  }));
  return [...contractPairSuites(r), ...unverified];
}

function contractPairSuites(r: ContractsRunResult): Suite[] {
  return r.pairs.map((pair) => ({
    name: `contract ${pair.consumer} -> ${pair.provider} (${pair.kind})`,
    timestamp: r.startedAt,
    seconds: pair.durationMs / 1000,
    cases: pair.interactions.map((i) => ({
      classname: `contracts.${pair.consumer}.${pair.provider}`,
      name: i.providerStates.length ? `${i.description} [given ${i.providerStates.join(', ')}]` : i.description,
      seconds: 0,
      ...(i.passed
        ? {}
        : {
            failure: {
              message: `${i.mismatches.length} mismatch(es): ${i.mismatches[0]?.message ?? ''}`,
              details: i.mismatches
                .map(
                  (m) =>
                    `${m.path}: ${m.message}${m.expected !== undefined ? ` (expected ${m.expected}, actual ${m.actual})` : ''}`,
                )
                .join('\n'),
            },
          }),
    })),
  }));
}

function xml(text: string): string {
  // Control characters other than tab/newline are not allowed in XML 1.0.
  let clean = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) clean += ch;
  }
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
