// Worker entry of a sharded verification (see shards.ts): verifies its
// chunks one after the other in this process (one warm Pact core) and sends
// the results back over IPC. Pact's core prints its report to stdout.
import { enableCompileCache } from '../../core/compile-cache.js';
import type { ContractPairResult } from '../../core/results.js';
import type { ProviderModule } from '../types.js';
import type { ShardReply, ShardRequest } from './shards.js';

// Before the rest loads (Pact's JavaScript above all), hence the imports below are dynamic.
enableCompileCache();
const loading = Promise.all([
  import('../../core/errors.js'),
  import('./provider-module.js'),
  import('./shards.js'),
  import('./verify-provider.js'),
]);

// The coordinator is gone (killed at its time bound, Ctrl-C): stop verifying.
process.once('disconnect', () => process.exit(1));

process.once('message', (request: ShardRequest) => {
  void (async () => {
    const [{ isMsaVerifyError }, { loadProviderModule }, { inTurns }, { verifyProvider }] = await loading;
    let reply: ShardReply;
    try {
      const mod: ProviderModule = request.module
        ? await loadProviderModule(request.module, process.cwd(), request.moduleField)
        : {};
      const results: ContractPairResult[][] = await inTurns(request.chunks, (chunk) =>
        verifyProvider({
          provider: request.provider,
          url: request.url,
          pactFiles: [chunk],
          stateHandlers: mod.stateHandlers,
          stateChangeUrl: request.stateChangeUrl,
          statesWithoutSetup: request.statesWithoutSetup,
          beforeEach: mod.beforeEach,
          afterEach: mod.afterEach,
          requestHeaders: request.requestHeaders,
          requestFilter: mod.requestFilter,
          timeoutMs: request.timeoutMs,
          disableSslVerification: request.disableSslVerification,
          logLevel: request.logLevel,
          kindOf: (consumer) => request.kinds[consumer] ?? 'http',
        }),
      );
      reply = { ok: true, results };
    } catch (error) {
      reply = isMsaVerifyError(error)
        ? { ok: false, code: error.code, message: error.message, problems: error.problems }
        : { ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    process.send?.(reply, () => process.exit(0));
  })();
});
