/**
 * A TCP relay owned by one run: it sits in front of a proxy or service,
 * records when each connection was accepted, and can reset the next N
 * connections (what `fail-first-N` needs; Toxiproxy alone cannot do it).
 */
export interface Tap {
  /** `host:port` the relay listens on (127.0.0.1, a free port). */
  readonly listen: string;
  /** Accept times of every connection so far, epoch ms, ascending. */
  connections(): number[];
  /** Resets (TCP RST) the next `n` accepted connections instead of relaying them; adds to any still pending. */
  failNext(n: number): void;
  /** Drops the resets `failNext` armed and that no connection used yet; returns how many. */
  disarm(): number;
  /**
   * Closes every connection the tap relays now (both sides), so that a caller
   * with pooled keep-alive connections must open new ones; returns how many.
   */
  cutConnections(): number;
  /** Every connection accepted so far, oldest first (at most the last {@link MAX_TAP_RECORDS}). */
  connectionLog(): readonly TapConnection[];
  /** Stops listening and destroys every relayed connection. */
  close(): Promise<void>;
  /**
   * Extension: times (epoch ms) at which an HTTP/1.x request head went through to
   * the upstream, so calls are counted even over keep-alive connections.
   */
  requests?(): number[];
  /** Extension: accept times of the connections reset by `failNext` (failed attempts). */
  failed?(): number[];
}

/** Most connection records a tap keeps; older ones are dropped first. */
export const MAX_TAP_RECORDS = 100_000;

/** One connection the tap accepted. Times are epoch ms. */
export interface TapConnection {
  readonly openedAt: number;
  /** When either side closed it; undefined while open. */
  readonly closedAt: number | undefined;
  /** How it ended: `reset` by fail-first, `cut` by cutConnections, `error` (e.g. a TCP RST), `closed` (FIN). */
  readonly end: 'reset' | 'cut' | 'error' | 'closed' | undefined;
  /** Times HTTP/1.x request heads crossed it (empty for other protocols). */
  readonly requests: readonly number[];
}

/** Every call attempt through a tap: relayed HTTP requests plus reset connections, ascending. */
export function tapCalls(tap: Tap): number[] {
  return [...(tap.requests?.() ?? []), ...(tap.failed?.() ?? [])].sort((a, b) => a - b);
}
