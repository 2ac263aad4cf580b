// Bundles the instrumentation preload (dist/instrument/index.js, compiled by
// tsc) with the OpenTelemetry packages it loads at start-up into one ES module,
// dist/instrument/preload.js, the file `msa-verify/instrument` resolves to.
// One tree-shaken file instead of about 170 CommonJS modules is what keeps the
// preload's start-up cost small (see docs/benchmarks.md). Instrumentations of
// third-party packages stay outside: they load at the app's first require of
// their package. import-in-the-middle stays outside too, because its loader
// hook and its runtime must share one module instance.
// Usage: node scripts/bundle-instrument.ts (run by scripts/build)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

// A require() of an OpenTelemetry package resolves to the same ES module build
// that the static imports use: one copy of each package in the bundle, and
// tree-shaking for both.
const oneCopy: Plugin = {
  name: 'opentelemetry-one-copy',
  setup(b) {
    b.onResolve({ filter: /^@opentelemetry\//, namespace: 'file' }, async (args) => {
      if (args.kind !== 'require-call' || args.pluginData === 'again') return undefined;
      const esm = await b.resolve(args.path, {
        kind: 'import-statement',
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'again',
      });
      return esm.errors.length > 0 ? undefined : { path: esm.path };
    });
  },
};

/** Bundles `entry` (a compiled dist/instrument/index.js) into `outfile`; returns the bundle's size in bytes. */
export async function bundlePreload(root: string, entry: string, outfile: string): Promise<number> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['import-in-the-middle', 'import-in-the-middle/*'],
    // CommonJS code inside an ES module bundle needs a real require (built-ins, external packages).
    banner: {
      js: "import { createRequire as __msaVerifyCreateRequire } from 'node:module'; const require = __msaVerifyCreateRequire(import.meta.url);",
    },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
    plugins: [oneCopy],
  });
  return Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
}

// Run as a script (scripts/build); bench/instrument/ablate.ts imports bundlePreload only.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(import.meta.dirname, '..');
  const bytes = await bundlePreload(root, 'dist/instrument/index.js', 'dist/instrument/preload.js');
  console.log(`bundled dist/instrument/preload.js (${(bytes / 1024).toFixed(0)} KiB)`);
}
