// examples/shop/run up|down|status: the shop in the background for the demo,
// the CLI and manual use. `up` starts supervisor.ts detached and returns once
// .tools/run/shop.env is written; `down` stops it and removes the file.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_DIR, readEnvFile, SHOP_ENV_FILE, SHOP_PID_FILE } from './run-files.ts';
import { ROOT } from './service-process.ts';

const LOG_DIR = path.join(RUN_DIR, 'shop');
const SUPERVISOR_LOG = path.join(LOG_DIR, 'supervisor.log');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(): number | undefined {
  if (!existsSync(SHOP_PID_FILE)) return undefined;
  const pid = Number(readFileSync(SHOP_PID_FILE, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

function printEnv(): void {
  process.stdout.write(readFileSync(SHOP_ENV_FILE, 'utf8'));
}

async function up(): Promise<number> {
  if (runningPid() !== undefined && existsSync(SHOP_ENV_FILE)) {
    console.log('shop already running');
    printEnv();
    return 0;
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(SUPERVISOR_LOG, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'examples/shop/supervisor.ts')], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    if (readEnvFile(SHOP_ENV_FILE).SHOP_GATEWAY_URL && runningPid() === child.pid) {
      printEnv();
      return 0;
    }
    await sleep(200);
  }
  if (!exited) child.kill('SIGTERM');
  const tail = readFileSync(SUPERVISOR_LOG, 'utf8').split('\n').slice(-30).join('\n');
  console.error(`shop did not come up (see ${path.relative(ROOT, LOG_DIR)}/*.log):\n${tail}`);
  return 3;
}

async function down(): Promise<number> {
  const pid = runningPid();
  if (pid === undefined) {
    console.log('shop not running');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  console.log('shop stopped');
  return 0;
}

function status(): number {
  if (runningPid() === undefined || !existsSync(SHOP_ENV_FILE)) {
    console.log('shop not running');
    return 1;
  }
  printEnv();
  return 0;
}

const action = process.argv[2];
if (action === 'up') process.exitCode = await up();
else if (action === 'down') process.exitCode = await down();
else if (action === 'status') process.exitCode = status();
else {
  console.error('usage: examples/shop/run up|down|status');
  process.exitCode = 2;
}
