// Start-up: an instrumentation whose package the app can resolve but has not
// loaded yet is created on the app's first require() of that package, not
// before the first request. One wrapper of Module.prototype.require watches the
// pending package names; the instrumentation (and its require-in-the-middle
// hook) is installed just before the package loads, so the patch is the same.
import type Module from 'node:module';

type RequireFn = (this: Module, id: string) => unknown;

/** True when some file of package `target` is already in the CommonJS cache. */
export function alreadyLoaded(cache: NodeJS.Require['cache'], target: string): boolean {
  const marker = `/node_modules/${target}/`;
  for (const file in cache) if (file.replaceAll('\\', '/').includes(marker)) return true;
  return false;
}

/**
 * Runs `install` once, right before the first `require()` of `target` or of
 * one of its files (`target/...`). `proto` is `Module.prototype`.
 */
export function onFirstRequire(proto: { require: RequireFn }, target: string, install: () => void): void {
  let state = (proto as { [PENDING]?: Map<string, () => void> })[PENDING];
  if (state === undefined) {
    state = new Map();
    (proto as { [PENDING]?: Map<string, () => void> })[PENDING] = state;
    wrap(proto, state);
  }
  state.set(target, install);
}

const PENDING = Symbol.for('msa-verify.instrument.deferred');

function wrap(proto: { require: RequireFn }, pending: Map<string, () => void>): void {
  const original = proto.require;
  const wrapper: RequireFn = function require(this: Module, id: string): unknown {
    if (pending.size > 0 && typeof id === 'string') {
      for (const [target, install] of pending) {
        if (id !== target && !(id.startsWith(target) && id.charCodeAt(target.length) === 47) /* / */) continue;
        pending.delete(target);
        try {
          install();
        } catch {
          // install reports its own failure; the app's require goes on
        }
        // A require hook installed by `install` on top of this wrapper must see this load.
        const current = proto.require;
        if (current !== wrapper) return current.call(this, id);
        break;
      }
    }
    return original.call(this, id);
  };
  proto.require = wrapper;
}
