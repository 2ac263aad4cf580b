import { runVerifyBench } from './verify-bench.ts';

await runVerifyBench(Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 11), ['peer', 'cli', 'cli-nocache']);
