// Child-process entry of `contracts verify`: Pact's core prints its own
// report to stdout, so verification runs here with stdout discarded and the
// result travels back over IPC.
import { enableCompileCache } from '../../core/compile-cache.js';
import type { ChildProgress, ChildReply, ChildRequest } from './in-child.js';

// Before the rest loads (Pact's JavaScript above all), hence the imports below are dynamic.
enableCompileCache();
const loading = Promise.all([
  import('../../core/config/load.js'),
  import('../../core/errors.js'),
  import('./run-verification.js'),
]);

process.once('message', (request: ChildRequest) => {
  void (async () => {
    const [{ loadConfig }, { isMsaVerifyError }, { runVerification }] = await loading;
    let reply: ChildReply;
    try {
      const { config, baseDir, file } = await loadConfig({ file: request.configFile, cwd: request.cwd });
      const result = await runVerification({
        config,
        baseDir,
        configFile: file,
        provider: request.provider,
        providerVersion: request.providerVersion,
        logLevel: request.logLevel,
        ownProcess: true,
        onPlanned: (interactions) => process.send?.({ planned: interactions } satisfies ChildProgress),
      });
      reply = { ok: true, result };
    } catch (error) {
      reply = isMsaVerifyError(error)
        ? { ok: false, code: error.code, message: error.message, problems: error.problems }
        : { ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    process.send?.(reply, () => process.exit(0));
  })();
});
