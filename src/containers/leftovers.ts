import { type EngineAddress, listContainers, removeContainer } from './engine.js';
import { LABEL_MANAGED, LABEL_PID, LABEL_ROLE } from './images.js';

/** A container msa-verify started that was still there. */
export interface LeftoverContainer {
  readonly id: string;
  readonly image: string;
  readonly role: string;
  /** Process that started it. */
  readonly pid: number;
  readonly removed: boolean;
}

/**
 * Removes the containers msa-verify started (label `msa-verify.managed`) whose
 * starting process is gone; with `all`, those of live processes too.
 */
export async function removeLeftoverContainers(
  address: EngineAddress,
  options: { all?: boolean } = {},
): Promise<LeftoverContainer[]> {
  const found = await listContainers(address, [`${LABEL_MANAGED}=true`]);
  const out: LeftoverContainer[] = [];
  for (const c of found) {
    const pid = Number(c.labels[LABEL_PID] ?? 0);
    if (!options.all && pid > 0 && alive(pid)) continue;
    const removed = await removeContainer(address, c.id).catch(() => false);
    out.push({ id: c.id, image: c.image, role: c.labels[LABEL_ROLE] ?? '', pid, removed });
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
