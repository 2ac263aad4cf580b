// Verification of a generated pact with 200 HTTP interactions; see verify-bench.ts.
// Usage: bash scripts/build && node bench/contracts/verify-200.ts [runs] [modes] >/dev/null
import { parseArgs, runVerifyBench } from './verify-bench.ts';

const { runs, modes } = parseArgs(process.argv.slice(2));
await runVerifyBench(200, runs, modes);
