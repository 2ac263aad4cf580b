import type { RunPlan } from './plan.js';
import type { ResolvedAddresses } from './resolve-addresses.js';

/** What every step of one run needs: the plan and the caller's options, resolved. */
export interface RunContext {
  readonly plan: RunPlan;
  readonly runId: string;
  readonly cwd: string;
  /** Absolute journal folder. */
  readonly journalDir: string;
  readonly signal: AbortSignal | undefined;
  readonly note: (text: string) => void;
  /** Start the detached watchdog. */
  readonly watchdog: boolean;
  /** The load target and upstreams, registry references resolved for this run. */
  readonly addresses: ResolvedAddresses;
}
