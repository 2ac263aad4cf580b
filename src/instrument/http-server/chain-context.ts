// A Context whose setValue costs one small object instead of a copy of every
// entry (the API's BaseContext copies its Map on each set). Extracting an
// inbound request and starting its server span sets five or six values, and
// every one of them copied the whole Map. Lookups walk the chain, which stays
// short: past MAX_DEPTH entries the chain is folded into one Map.
import type { Context } from '@opentelemetry/api';

const DELETED = Symbol('deleted');
const MAX_DEPTH = 24;

class FoldedContext implements Context {
  readonly #values: Map<symbol, unknown>;
  constructor(values: Map<symbol, unknown>) {
    this.#values = values;
  }
  getValue(key: symbol): unknown {
    return this.#values.get(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new ChainContext(this, key, value, 1);
  }
  deleteValue(key: symbol): Context {
    return new ChainContext(this, key, DELETED, 1);
  }
  entries(): Map<symbol, unknown> {
    return this.#values;
  }
}

class ChainContext implements Context {
  readonly #parent: ChainContext | FoldedContext | undefined;
  readonly #key: symbol | undefined;
  readonly #value: unknown;
  readonly #depth: number;

  constructor(
    parent: ChainContext | FoldedContext | undefined,
    key: symbol | undefined,
    value: unknown,
    depth: number,
  ) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
    this.#depth = depth;
  }

  getValue(key: symbol): unknown {
    let node: ChainContext | FoldedContext | undefined = this;
    while (node instanceof ChainContext) {
      if (node.#key === key) return node.#value === DELETED ? undefined : node.#value;
      node = node.#parent;
    }
    return node?.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.#next(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.#next(key, DELETED);
  }

  #next(key: symbol, value: unknown): Context {
    if (this.#depth < MAX_DEPTH) return new ChainContext(this, key, value, this.#depth + 1);
    const folded = this.#fold();
    if (value === DELETED) folded.delete(key);
    else folded.set(key, value);
    return new FoldedContext(folded);
  }

  #fold(): Map<symbol, unknown> {
    const nodes: ChainContext[] = [];
    let node: ChainContext | FoldedContext | undefined = this;
    while (node instanceof ChainContext) {
      nodes.push(node);
      node = node.#parent;
    }
    const values = new Map(node?.entries());
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      if (n.#key === undefined) continue;
      if (n.#value === DELETED) values.delete(n.#key);
      else values.set(n.#key, n.#value);
    }
    return values;
  }
}

/** An empty context with cheap setValue, to extract inbound requests into. */
export const CHAIN_ROOT: Context = new ChainContext(undefined, undefined, undefined, 0);
