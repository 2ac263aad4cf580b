import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { UnboundContextManager } from '../../src/instrument/context-manager.ts';

// The preload's context manager must behave as OpenTelemetry's for `with`, the
// one method it changes: same `this`, arguments, result, errors and active context.
describe('UnboundContextManager', () => {
  const key = createContextKey('k');
  const ctx = ROOT_CONTEXT.setValue(key, 'v');
  afterEach(() => context.disable());

  for (const Manager of [AsyncLocalStorageContextManager, UnboundContextManager]) {
    it(`${Manager.name}: with() runs fn on thisArg with the arguments, in the context, and restores it`, () => {
      const manager = new Manager().enable();
      const target = { tag: 't' };
      const seen: unknown[] = [];
      const result = manager.with(
        ctx,
        function (this: typeof target, a: number, b: string) {
          seen.push(this?.tag, a, b, manager.active().getValue(key));
          return a * 2;
        },
        target,
        21,
        'x',
      );
      expect(result).toBe(42);
      expect(seen).toEqual(['t', 21, 'x', 'v']);
      expect(manager.active()).toBe(ROOT_CONTEXT);
      // Without thisArg, and nested: the inner context wins, the outer comes back.
      manager.with(ctx, () => {
        manager.with(ROOT_CONTEXT, () => expect(manager.active()).toBe(ROOT_CONTEXT));
        expect(manager.active().getValue(key)).toBe('v');
      });
      manager.disable();
    });

    it(`${Manager.name}: an error from fn propagates and the context is restored`, () => {
      const manager = new Manager().enable();
      expect(() =>
        manager.with(
          ctx,
          function (this: object) {
            throw new Error(`boom ${String(manager.active().getValue(key))}`);
          },
          {},
        ),
      ).toThrow('boom v');
      expect(manager.active()).toBe(ROOT_CONTEXT);
      manager.disable();
    });
  }

  it('is what api.context.with uses once registered, and binds nothing', () => {
    const manager = new UnboundContextManager().enable();
    context.setGlobalContextManager(manager);
    const emitter = { n: 0 };
    function count(this: typeof emitter, by: number) {
      this.n += by;
      return context.active().getValue(key);
    }
    const bind = Function.prototype.bind;
    let binds = 0;
    Function.prototype.bind = function (this: (...a: unknown[]) => unknown, ...a: unknown[]) {
      binds++;
      return bind.apply(this, a as [unknown]);
    } as typeof bind;
    try {
      expect(context.with(ctx, count, emitter, 3)).toBe('v');
    } finally {
      Function.prototype.bind = bind;
    }
    expect(emitter.n).toBe(3);
    expect(binds).toBe(0);
  });
});
