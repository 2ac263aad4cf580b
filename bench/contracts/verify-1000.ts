// Verification of a generated pact with 1000 HTTP interactions; see verify-bench.ts.
// Usage: bash scripts/build && node bench/contracts/verify-1000.ts [runs] [modes] >/dev/null
// N=5000 (no peer, which takes minutes per run): node bench/contracts/verify-1000.ts 1 cli-shards 5000
import { parseArgs, runVerifyBench } from './verify-bench.ts';

const { runs, modes } = parseArgs(process.argv.slice(2));
await runVerifyBench(Number(process.argv[4] ?? 1000), runs, modes);
