// Reaching into an OpenTelemetry instrumentation's module definitions (its
// `_modules`, not public API, stable across the 0.x line): whether a patch ran,
// for the self-check report, and a hook on what a file patch returns, for
// wrappers that must sit outside the instrumentation's own.
import type { Instrumentation } from '@opentelemetry/instrumentation';

type Patch = (exports: unknown, version?: string) => unknown;

interface ModuleDef {
  moduleExports?: unknown;
  patch?: Patch;
  files?: { moduleExports?: unknown; patch?: Patch }[];
}

function modulesOf(instrumentation: Instrumentation): ModuleDef[] {
  return (instrumentation as unknown as { _modules?: ModuleDef[] })._modules ?? [];
}

/** Returns a probe telling whether any module definition of `instrumentation` was patched. */
export function trackPatches(instrumentation: Instrumentation): () => boolean {
  const modules = modulesOf(instrumentation);
  // Diagnostics-channel instrumentations (undici) patch nothing: subscribed is all there is.
  if (modules.length === 0) return () => true;
  return () =>
    modules.some((m) => m.moduleExports !== undefined || (m.files ?? []).some((f) => f.moduleExports !== undefined));
}

/** Runs `after` on the exports each module file patch of `instrumentation` returns (call before enable()). */
export function afterFilePatch(instrumentation: Instrumentation, after: (exports: unknown) => void): void {
  for (const file of modulesOf(instrumentation).flatMap((m) => m.files ?? [])) chain(file, after);
}

/** Runs `after` on the exports each package-level patch of `instrumentation` returns (call before enable()). */
export function afterModulePatch(instrumentation: Instrumentation, after: (exports: unknown) => void): void {
  for (const module of modulesOf(instrumentation)) chain(module, after);
}

function chain(def: { patch?: Patch }, after: (exports: unknown) => void): void {
  const patch = def.patch;
  if (typeof patch !== 'function') return;
  def.patch = (exports, version) => {
    const result = patch(exports, version);
    try {
      after(result);
    } catch {
      // the instrumentation's own patch stands
    }
    return result;
  };
}
