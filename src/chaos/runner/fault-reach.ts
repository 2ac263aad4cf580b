// A fault proves something only if it acted on the callers' traffic. A caller
// that keeps pooled keep-alive connections never meets a fault that acts on new
// connections (fail-first), and a toxic with toxicity < 1 may spare the few
// pooled connections there are. For each fault on a proxy with a tap, this adds
// one verdict to the fault's phase, measured from the tap's per-connection log
// during the fault's window:
//   fail-first        connections the tap reset (of its budget)
//   reset_peer        connections that ended (reset or closed) while it was on
//   every other toxic connections that carried traffic while it was on
//                     (opened, carried a request head, or ended)
// `down` gets none: a disabled proxy drops every connection and refuses new
// ones, and the on-path verdict shows that the caller used the proxy at all.
import type { ExpectationVerdict, PhaseResult } from '../../core/results.js';
import type { TapConnection } from '../tap/types.js';
import type { DrivenFault } from './phase-faults.js';

/** The verdict's type in results and reports. */
export const FAULT_REACH_TYPE = 'fault-reach';

/** What the tap of a proxy saw during one fault's window. */
export interface ReachCounts {
  /** New connections the tap accepted (fail-first resets included). */
  readonly opened: number;
  /** Connections the tap reset for fail-first. */
  readonly failed: number;
  /** Connections that ended on their own (not cut by the run, not fail-first). */
  readonly ended: number;
  /** HTTP request heads that crossed. */
  readonly requests: number;
  /** Connections opened before the window that carried a request head in it. */
  readonly pooled: number;
  /** Connections that opened, carried a request head or ended in the window. */
  readonly touched: number;
}

/** Counts what crossed a tap between `from` and `to` (epoch ms, inclusive). */
export function reachCounts(log: readonly TapConnection[], from: number, to: number): ReachCounts {
  const inWindow = (t: number | undefined): boolean => t !== undefined && t >= from && t <= to;
  let opened = 0;
  let failed = 0;
  let ended = 0;
  let requests = 0;
  let pooled = 0;
  let touched = 0;
  for (const c of log) {
    const reqs = c.requests.filter(inWindow).length;
    const open = inWindow(c.openedAt);
    const end = inWindow(c.closedAt) && (c.end === 'closed' || c.end === 'error');
    if (open) opened++;
    if (open && c.end === 'reset') failed++;
    if (end) ended++;
    requests += reqs;
    if (!open && c.openedAt < from && reqs > 0) pooled++;
    if (open || reqs > 0 || end) touched++;
  }
  return { opened, failed, ended, requests, pooled, touched };
}

/**
 * Returns `phases` with one fault-reach verdict per fault (except `down`) on a
 * proxy that has a connection log, added to the phase that applied the fault.
 */
export function addFaultReachVerdicts(
  phases: readonly PhaseResult[],
  faults: readonly DrivenFault[],
  logs: ReadonlyMap<string, readonly TapConnection[]>,
): PhaseResult[] {
  const out = phases.map((p) => ({ ...p, verdicts: [...p.verdicts] }));
  for (const fault of faults) {
    const log = logs.get(fault.proxy);
    const phase = out.find((p) => p.name === fault.phase);
    if (!log || !phase || fault.type === 'down') continue;
    phase.verdicts.push(faultReachVerdict(fault, reachCounts(log, fault.startedAt, fault.endedAt)));
  }
  return out;
}

/** The verdict for one fault from what its proxy's tap saw during its window. */
export function faultReachVerdict(fault: DrivenFault, c: ReachCounts): ExpectationVerdict {
  const on = `proxy "${fault.proxy}"`;
  const base = {
    type: FAULT_REACH_TYPE,
    name: `${fault.type} on ${fault.proxy} reached the callers`,
    phase: fault.phase,
  };
  const cutHint =
    fault.type === 'fail-first' ? 'set cutConnections: true on the phase' : 'set cutConnections: true on the fault';
  const spared =
    fault.toxicity < 1
      ? ` (toxicity ${fault.toxicity}: each connection is faulted or spared as a whole, so pooled ones may all be spared)`
      : '';
  const cut =
    fault.cutConnections !== undefined ? `; ${fault.cutConnections} open connection(s) were cut at its start` : '';
  if (fault.type === 'fail-first') {
    const budget = fault.budget ?? 0;
    const passed = c.failed > 0;
    const why =
      c.requests > 0
        ? `the caller reuses pooled connections (${c.requests} request(s) crossed ${on} on ${c.pooled} connection(s) opened before the fault): ${cutHint}`
        : `no connection and no request reached ${on} while it was on`;
    return {
      ...base,
      passed,
      observed: c.failed,
      bound: `>= 1 of ${budget} connections reset`,
      unit: 'connections',
      message: passed
        ? `fail-first: ${c.failed} of ${budget} connections reset${c.failed < budget ? `; the other ${budget - c.failed} were disarmed at the phase's end` : ''}${cut}.`
        : `fail-first: 0 of ${budget} connections used; ${why}${cut}.`,
    };
  }
  if (fault.type === 'reset_peer') {
    const passed = c.ended > 0;
    const why =
      c.requests > 0
        ? `${c.requests} request(s) crossed ${on} on ${c.pooled} pooled connection(s) the toxic did not reach${spared}: ${cutHint}`
        : `no request reached ${on} while it was on`;
    return {
      ...base,
      passed,
      observed: c.ended,
      bound: '>= 1 connection reset',
      unit: 'connections',
      message: passed
        ? `reset_peer: ${c.ended} connection(s) reset or closed while the fault was on, ${c.opened} of them new${cut}.`
        : `reset_peer: 0 connections reset while the fault was on; ${why}${cut}.`,
    };
  }
  const passed = c.touched > 0;
  return {
    ...base,
    passed,
    observed: c.touched,
    bound: '>= 1 connection with traffic',
    unit: 'connections',
    message: passed
      ? `${fault.type}: ${c.requests} request(s) on ${c.touched} connection(s) crossed ${on} while the fault was on${spared}${cut}.`
      : `${fault.type}: no request and no connection crossed ${on} while the fault was on, so it acted on nothing${cut}.`,
  };
}
