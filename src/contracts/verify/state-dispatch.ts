import { describeNetError } from '../../core/probe.js';
import type { ProviderHook, StateHandlers } from '../types.js';
import type { PactInteractionResult, PactVerifierReport } from './results.js';

// Provider-state changes as Pact's core sends them (POST {state, params,
// action} before and after each interaction; state "" for an interaction
// without states), answered here instead of by pact-js, so that nothing passes
// silently: a state with no handler, a handler that throws, a state-change URL
// that fails and a failing beforeEach/afterEach each become a problem of the
// interaction they happened in (counted by interaction boundaries: the first
// setup after a teardown starts the next interaction).

/** A state change as Pact's core posts it. */
export interface StateChange {
  readonly state?: string;
  readonly params?: Record<string, unknown>;
  readonly action?: string;
}

/** Something that went wrong while setting up or tearing down one interaction. */
export interface StateProblem {
  /** 0-based index of the interaction in verification order. */
  readonly interaction: number;
  /** The state concerned; '' for a hook. */
  readonly state: string;
  /** True when the state simply had no handler (a message producer may still handle it). */
  readonly missing: boolean;
  readonly message: string;
}

/** Options for {@link createStateDispatch}. */
export interface StateDispatchOptions {
  /** Provider name, for messages. */
  readonly provider: string;
  readonly stateHandlers?: StateHandlers;
  /** Forward every state change to this URL (the provider's own state-change endpoint). */
  readonly stateChangeUrl?: string;
  /** States that need no set-up. */
  readonly statesWithoutSetup?: readonly string[];
  readonly beforeEach?: ProviderHook;
  readonly afterEach?: ProviderHook;
  /** Timeout of one state-change request to `stateChangeUrl`, ms. Default 10000. */
  readonly timeoutMs?: number;
}

/** Answers state changes and collects what went wrong. */
export interface StateDispatch {
  /** Handles one state change; resolves to the values Pact injects into the request. */
  handle(change: StateChange): Promise<Record<string, unknown>>;
  readonly problems: readonly StateProblem[];
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Creates the state dispatcher of one provider's verification. */
export function createStateDispatch(options: StateDispatchOptions): StateDispatch {
  const problems: StateProblem[] = [];
  const noSetup = new Set(options.statesWithoutSetup ?? []);
  let index = -1;
  let inside = false;
  const fail = (state: string, message: string, missing = false): void => {
    problems.push({ interaction: Math.max(index, 0), state, missing, message });
  };
  const hook = async (name: 'beforeEach' | 'afterEach'): Promise<void> => {
    const fn = options[name];
    if (!fn) return;
    try {
      await fn();
    } catch (error) {
      fail('', `${name} failed: ${reason(error)}`);
    }
  };
  const forward = async (url: string, change: StateChange, state: string, action: string) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state, params: change.params ?? {}, action }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      if (!res.ok) {
        fail(state, `state-change URL answered ${res.status} to ${action} of provider state "${state}"`);
        return {};
      }
      try {
        const value = JSON.parse(text) as unknown;
        return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    } catch (error) {
      fail(
        state,
        `state-change URL ${url} failed on ${action} of provider state "${state}": ${describeNetError(error)}`,
      );
      return {};
    }
  };
  const run = async (change: StateChange, state: string, action: 'setup' | 'teardown') => {
    if (state === '') return {};
    if (options.stateChangeUrl) return forward(options.stateChangeUrl, change, state, action);
    const handler = Object.hasOwn(options.stateHandlers ?? {}, state) ? options.stateHandlers?.[state] : undefined;
    if (!handler) {
      if (action === 'setup' && !noSetup.has(state)) {
        fail(
          state,
          `no handler for provider state "${state}": add it to the stateHandlers of the provider module, or list it in contracts.providers.${options.provider}.statesWithoutSetup if it needs no set-up`,
          true,
        );
      }
      return {};
    }
    const fn = typeof handler === 'function' ? (action === 'setup' ? handler : undefined) : handler[action];
    if (!fn) return {};
    try {
      return (await fn(change.params ?? {})) ?? {};
    } catch (error) {
      fail(state, `state handler for "${state}" failed on ${action}: ${reason(error)}`);
      return {};
    }
  };
  return {
    problems,
    async handle(change) {
      const state = typeof change.state === 'string' ? change.state : '';
      const action = change.action === 'teardown' ? 'teardown' : 'setup';
      if (action === 'setup') {
        if (!inside) {
          inside = true;
          index += 1;
          await hook('beforeEach');
        }
        return run(change, state, 'setup');
      }
      const values = await run(change, state, 'teardown');
      if (inside) {
        inside = false;
        await hook('afterEach');
      }
      return values;
    },
  };
}

/**
 * Adds each state problem to the interaction it happened in (by verification
 * order; when the order does not line up, to every interaction given that
 * state) as a `ProviderStateMismatch`. A missing handler is no problem for a
 * message whose producer is given the states (`producedByModule`).
 */
export function applyStateProblems(
  report: PactVerifierReport,
  problems: readonly StateProblem[],
  producedByModule: (description: string) => boolean,
): void {
  const results = report.interactionResults ?? [];
  for (const p of problems) {
    const given = (r: PactInteractionResult) => p.state === '' || (r.providerStates ?? []).includes(p.state);
    const atIndex = results[p.interaction];
    const targets = atIndex && given(atIndex) ? [atIndex] : results.filter((r) => p.state !== '' && given(r));
    for (const r of targets) {
      if (p.missing && producedByModule(r.description ?? '')) continue;
      const own = { type: 'ProviderStateMismatch', mismatch: p.message };
      const mm = r.mismatch;
      const before = !mm
        ? []
        : mm.type === 'mismatches'
          ? (mm.mismatches ?? [])
          : [{ mismatch: mm.message ?? 'verification error' }];
      r.mismatch = { type: 'mismatches', mismatches: [own, ...before] };
      r.result = 'Error';
    }
  }
}
