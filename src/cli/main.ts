#!/usr/bin/env node
// The CLI's entry. It must parse and run on any Node, so it uses no syntax or
// API newer than ES2017 and imports nothing statically: an unsupported Node
// gets one line and exit 3 (environment unavailable) before the CLI loads.

/** Oldest Node major the CLI supports (package.json `engines`). */
const MIN_NODE_MAJOR = 22;

const major = Number(process.versions.node.split('.')[0]);
if (!(major >= MIN_NODE_MAJOR)) {
  process.stderr.write(
    `msa-verify: Node.js ${MIN_NODE_MAJOR} or newer is needed; this is Node.js ${process.versions.node} (${process.execPath})\n`,
  );
  process.exitCode = 3;
} else {
  // V8's compile cache (Node 22.1+) before the CLI's modules load; see core/compile-cache.ts.
  const { enableCompileCache } = await import('../core/compile-cache.js');
  enableCompileCache();
  const { runCli } = await import('./cli.js');
  await runCli();
}
