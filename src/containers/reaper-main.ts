// Entry of the detached container reaper (see reaper.ts). argv: DOCKER_HOST, owner pid, session id.
//   loop every 250ms: owner alive -> wait | owner gone -> remove the session's containers (3 passes), exit
import { setTimeout as sleep } from 'node:timers/promises';
import { engineAddress, listContainers, removeContainer } from './engine.js';
import { LABEL_SESSION } from './images.js';

const [host, pidArg, session] = process.argv.slice(2);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function reap(): Promise<void> {
  const address = engineAddress({ DOCKER_HOST: host });
  const left = await listContainers(address, [`${LABEL_SESSION}=${session}`]);
  await Promise.all(left.map((c) => removeContainer(address, c.id)));
}

async function main(): Promise<void> {
  const pid = Number(pidArg);
  if (!host || !session || !Number.isInteger(pid)) return;
  while (alive(pid)) await sleep(250);
  // Three passes, a second apart: a create call in flight when the owner died lands after the first.
  for (let pass = 0; pass < 3; pass++) {
    await reap().catch(() => false);
    if (pass < 2) await sleep(1000);
  }
}

await main();
