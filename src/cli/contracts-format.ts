import type { ContractPairResult, ContractsRunResult, Mismatch } from '../core/results.js';

// Console summary of a contracts run: one line per consumer/provider pair, and
// for each failed interaction a readable diff naming the field.

function mismatchLines(m: Mismatch): string[] {
  const lines = [`        ${m.path || '(interaction)'}: ${m.message}`];
  if (m.expected !== undefined) lines.push(`          - expected: ${m.expected}`);
  if (m.actual !== undefined || m.expected !== undefined)
    lines.push(`          + actual:   ${m.actual ?? '(missing)'}`);
  return lines;
}

function pairLines(p: ContractPairResult): string[] {
  const ok = p.interactions.filter((i) => i.passed).length;
  const head = `${p.passed ? '✓' : '✗'} ${p.consumer} → ${p.provider} (${p.kind})  ${ok}/${p.interactions.length} interactions  ${Math.round(p.durationMs)}ms`;
  const lines = [head];
  for (const i of p.interactions) {
    if (i.passed) continue;
    const states = i.providerStates.length > 0 ? ` [given ${i.providerStates.join(', ')}]` : '';
    lines.push(`    ✗ interaction "${i.description}"${states}`);
    for (const m of i.mismatches) lines.push(...mismatchLines(m));
  }
  return lines;
}

/** The console summary of a run, as lines. */
export function formatContractsSummary(result: ContractsRunResult): string[] {
  const lines = result.pairs.flatMap(pairLines);
  for (const w of result.withoutPacts ?? []) {
    lines.push(
      w.allowed
        ? `- ${w.provider}: no pact to verify (allowed: allowNoPacts)`
        : `✗ ${w.provider}: no pact to verify (set contracts.providers.${w.provider}.allowNoPacts: true if it may have none)`,
    );
  }
  const failed = result.pairs.filter((p) => !p.passed).length;
  if (result.pairs.length === 0 && !result.withoutPacts?.length) lines.push('no pacts to verify');
  lines.push(
    `contracts: ${result.pairs.length} pair(s), ${result.pairs.length - failed} passed, ${failed} failed (${Math.round(result.endedAt - result.startedAt)}ms)`,
  );
  return lines;
}
