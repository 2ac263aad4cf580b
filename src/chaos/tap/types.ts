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

/** Every call attempt through a tap: relayed HTTP requests plus reset connections, ascending. */
export function tapCalls(tap: Tap): number[] {
  return [...(tap.requests?.() ?? []), ...(tap.failed?.() ?? [])].sort((a, b) => a - b);
}
