import module from 'node:module';

/**
 * Turns on V8's compile cache for the modules this process loads from now on
 * (`module.enableCompileCache`, Node 22.1+): the second and later runs of the
 * CLI and its verification processes skip compiling msa-verify's and
 * pact-js's JavaScript. The cache is Node's default folder (or
 * `$NODE_COMPILE_CACHE`); `NODE_DISABLE_COMPILE_CACHE=1` turns it off. Never
 * throws: without a cache the process only starts slower.
 */
export function enableCompileCache(): void {
  try {
    (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  } catch {
    // an unwritable cache folder: run without
  }
}
