/**
 * How many of the next accepted connections a tap resets (`fail-first`). A
 * budget belongs to one phase: {@link FailBudget.disarm} at the phase's end
 * drops what was not used, so that unused resets never fire in a later phase.
 */
export class FailBudget {
  #pending = 0;

  /** Adds `n` resets (an integer >= 0) to the budget. */
  arm(n: number): void {
    this.#pending += n;
  }

  /** True (and one reset fewer) when the next connection must be reset. */
  take(): boolean {
    if (this.#pending === 0) return false;
    this.#pending--;
    return true;
  }

  /** Resets still pending. */
  get pending(): number {
    return this.#pending;
  }

  /** Drops every pending reset; returns how many were not used. */
  disarm(): number {
    const unused = this.#pending;
    this.#pending = 0;
    return unused;
  }
}
