// The fixed cost of a verification: a pact of one interaction, so what is
// measured is starting processes, loading modules and the core; see verify-bench.ts.
// Default modes: the peer, the CLI (shards: 1) and the CLI with V8's compile cache off.
// Usage: bash scripts/build && node bench/contracts/verify-fixed.ts [runs] [modes] >/dev/null
import { parseArgs, runVerifyBench } from './verify-bench.ts';

const argv = process.argv.slice(2);
const { runs, modes } = parseArgs([argv[0] ?? '11', argv[1] ?? 'peer,cli,cli-nocache']);
await runVerifyBench(1, runs, modes);
