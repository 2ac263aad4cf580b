// ESM support: import-in-the-middle must see `import` statements of the
// patched packages. Where the running Node supports synchronous in-thread hooks
// (module.registerHooks; Node >= 22.22.3 / 24.11.1 / 25.1), they are used: no
// loader thread, no message channel. Older Nodes get the asynchronous
// module.register loader. Only the packages we instrument are intercepted.
import { existsSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import path from 'node:path';

// require(esm) of register-hooks.mjs (no top-level await) keeps start-up synchronous.
const req = nodeModule.createRequire(import.meta.url);

/** Which loader hook is active. */
export type EsmHookMode = 'registerHooks' | 'register' | 'none';

/** Result of {@link registerEsmHooks}. */
export interface EsmHookResult {
  readonly mode: EsmHookMode;
  /** Resolves once the async loader has seen every Hook() (no-op for sync hooks). */
  readonly ready: () => Promise<void>;
}

/** Registers the import-in-the-middle loader for `include`. Never throws. */
export function registerEsmHooks(include: readonly string[], warn: (message: string) => void): EsmHookResult {
  const none: EsmHookResult = { mode: 'none', ready: () => Promise.resolve() };
  if (include.length === 0) return none;
  try {
    if (typeof nodeModule.registerHooks === 'function') {
      // require(esm) needs Node >= 20.19 / 22.12; older Nodes fall through to module.register.
      const sync = req('import-in-the-middle/register-hooks.mjs') as {
        register: (options: { include: string[] }) => void;
        supportsSyncHooks: () => boolean;
      };
      if (sync.supportsSyncHooks()) {
        sync.register({ include: [...include] });
        return { mode: 'registerHooks', ready: () => Promise.resolve() };
      }
    }
  } catch {
    // fall back to the asynchronous loader below
  }
  try {
    if (typeof nodeModule.register === 'function') {
      const iitm = req('import-in-the-middle') as {
        createAddHookMessageChannel: () => {
          registerOptions: { data: unknown; transferList: unknown[] };
          waitForAllMessagesAcknowledged: () => Promise<void>;
        };
      };
      const { registerOptions, waitForAllMessagesAcknowledged } = iitm.createAddHookMessageChannel();
      const data = { ...(registerOptions.data as object), include: [...include] };
      nodeModule.register('import-in-the-middle/hook.mjs', import.meta.url, {
        data,
        transferList: registerOptions.transferList,
      } as nodeModule.RegisterOptions<unknown>);
      return { mode: 'register', ready: waitForAllMessagesAcknowledged };
    }
  } catch (error) {
    warn(
      `ESM loader hook not installed (${(error as Error).message}); ESM imports of instrumented packages stay unpatched`,
    );
  }
  return none;
}

/**
 * Records which files of `targets` the app loads through ESM resolution, for
 * the self-check report. Only installed when a report is requested.
 */
export function trackEsmResolutions(onResolved: (url: string) => void): void {
  if (typeof nodeModule.registerHooks !== 'function') return;
  nodeModule.registerHooks({
    // load, not resolve: the ESM hook itself resolves the packages it watches without loading them.
    load(url, context, nextLoad) {
      try {
        onResolved(url);
      } catch {
        // reporting only
      }
      return nextLoad(url, context);
    },
  });
}

/**
 * Whether the app's entry point is an ES module, judged as Node does: by
 * extension, then the nearest package.json `type`, then (for an untyped `.js`)
 * by ESM syntax. Unknown entries (`-e`, REPL) count as ESM, the safe side.
 */
export function mainIsEsm(main: string | undefined): boolean {
  if (!main) return true;
  try {
    const file = path.resolve(main);
    const ext = path.extname(file);
    if (ext === '.mjs' || ext === '.mts') return true;
    if (ext === '.cjs' || ext === '.cts') return false;
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      const pkg = path.join(dir, 'package.json');
      if (existsSync(pkg)) {
        const type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type;
        if (type === 'module') return true;
        if (type === 'commonjs') return false;
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    return /^\s*(?:import\s*[\w{*'"]|export\s)/m.test(readFileSync(file, 'utf8'));
  } catch {
    return true;
  }
}
