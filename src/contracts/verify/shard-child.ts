// Worker entry of a sharded verification (see shards.ts): verifies its
// chunks one after the other in this process (one warm Pact core) and sends
// the results back over IPC. Pact's core prints its report to stdout.
import { isMsaVerifyError } from '../../core/errors.js';
import type { ContractPairResult } from '../../core/results.js';
import type { ProviderModule } from '../types.js';
import { loadProviderModule } from './provider-module.js';
import { inTurns, type ShardReply, type ShardRequest } from './shards.js';
import { verifyProvider } from './verify-provider.js';

// The coordinator is gone (killed at its time bound, Ctrl-C): stop verifying.
process.once('disconnect', () => process.exit(1));

process.once('message', (request: ShardRequest) => {
  void (async () => {
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
