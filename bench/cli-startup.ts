// Wall time of `msa-verify --help` next to a bare `node -e ""` in the same run.
// Usage: npm run build && node bench/cli-startup.ts [runs]
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const runs = Number(process.argv[2] ?? 20);
const cli = path.resolve(import.meta.dirname, '../dist/cli/main.js');

function median(cmd: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, cmd, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const bare = median(['-e', '']);
const help = median([cli, '--help']);
console.log(`node ${process.version}, ${runs} runs each, median wall time`);
console.log(`node -e ""            ${bare.toFixed(1)} ms`);
console.log(`msa-verify --help     ${help.toFixed(1)} ms`);
console.log(`ratio help/bare node  ${(help / bare).toFixed(2)}`);
