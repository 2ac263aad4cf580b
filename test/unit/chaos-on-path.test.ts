import { describe, expect, it } from 'vitest';
import { addOnPathVerdicts, type PathProxy } from '../../src/chaos/runner/on-path.js';
import type { FaultWindow, PhaseResult } from '../../src/core/results.js';

const phase = (name: string, kind: PhaseResult['kind'], startedAt: number, endedAt: number): PhaseResult => ({
  name,
  kind,
  startedAt,
  endedAt,
  requests: 10,
  errors: 0,
  latencyMs: { p50: 1, p95: 1, p99: 1, max: 1 },
  verdicts: [],
});
const phases = [
  phase('steady', 'steady', 0, 1000),
  phase('slow', 'fault', 1000, 2000),
  phase('back', 'recovery', 2000, 3000),
];
const latency: FaultWindow = { proxy: 'web', toxic: 't1', type: 'latency', startedAt: 1005, endedAt: 1995 };
const proxy = (connections: number | undefined): PathProxy => ({
  name: 'web',
  listen: '127.0.0.1:18000',
  upstream: '127.0.0.1:8080',
  connections,
});

describe('on-path verdicts', () => {
  it('fails the first fault phase of a proxy that carried no connection, naming listen and upstream', () => {
    const out = addOnPathVerdicts(phases, [latency], [proxy(0)]);
    expect(out.map((p) => p.verdicts.length)).toEqual([0, 1, 0]);
    const v = out[1]!.verdicts[0]!;
    expect(v).toMatchObject({ type: 'on-path', phase: 'slow', passed: false, observed: 0 });
    expect(v.message).toContain('no connection went through proxy "web"');
    expect(v.message).toContain('point the caller at 127.0.0.1:18000');
    expect(v.message).toContain('127.0.0.1:8080 directly');
    expect(phases[1]!.verdicts).toEqual([]); // the input is not changed
  });

  it('passes when the tap relayed connections', () => {
    const v = addOnPathVerdicts(phases, [latency], [proxy(4)])[1]!.verdicts[0]!;
    expect(v).toMatchObject({ passed: true, observed: 4, unit: 'connections' });
  });

  it('adds nothing for a proxy without a tap, an unfaulted proxy, or one down for the whole run', () => {
    expect(addOnPathVerdicts(phases, [latency], [proxy(undefined)]).flatMap((p) => p.verdicts)).toEqual([]);
    expect(addOnPathVerdicts(phases, [], [proxy(0)]).flatMap((p) => p.verdicts)).toEqual([]);
    const down: FaultWindow = { proxy: 'web', toxic: 'proxy-down', type: 'down', startedAt: 0, endedAt: 3000 };
    expect(addOnPathVerdicts(phases, [down], [proxy(0)]).flatMap((p) => p.verdicts)).toEqual([]);
    // Down in one phase only: the other phases could have carried traffic.
    const partly: FaultWindow = { ...down, startedAt: 1000, endedAt: 2000 };
    expect(addOnPathVerdicts(phases, [partly], [proxy(0)])[1]!.verdicts[0]!.passed).toBe(false);
  });
});
