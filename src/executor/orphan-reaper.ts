// Start-up hygiene: containers and folders left by workers on this host that died without cleaning up
// (kill -9, power loss). Their steps are re-run by lease expiry; this removes the leftovers.
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '../process-alive.js';
import type { ContainerClient } from './container-client.js';
import { LABEL_PREFIX } from './container-spec.js';

/** Worker ids are host:pid:random; a worker of this host whose pid is gone is dead. */
export function isDeadLocalWorker(workerId: string, host = os.hostname()): boolean {
  const [h, pid] = workerId.split(':');
  return h === host && !pidAlive(Number(pid));
}

/** Removes the containers of dead workers of this host; returns how many. Rejects when the daemon cannot list them. */
export async function reapOrphanContainers(containers: ContainerClient): Promise<number> {
  const list = await containers.list({ [`${LABEL_PREFIX}.managed`]: 'true' });
  const dead = new Set(list.map((c) => c.labels[`${LABEL_PREFIX}.worker`]).filter((w) => w && isDeadLocalWorker(w)));
  let n = 0;
  for (const worker of dead) n += await containers.removeLabelled({ [`${LABEL_PREFIX}.worker`]: worker });
  return n;
}

/** Removes folders named `<...>-<pid>-<...>` (work dirs) or `<pid>-<...>` (sandboxes) whose pid is dead. */
export async function reapOrphanDirs(dir: string, pidOf: (name: string) => number): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = pidOf(name);
    if (pid && pid !== process.pid && !pidAlive(pid)) {
      await rm(path.join(dir, name), { recursive: true, force: true });
      n++;
    }
  }
  return n;
}

/** Work dirs are <stepId>-<attempt>-<pid>-<rand>; sandbox dirs <pid>-<time>-<rand>. */
export const workDirPid = (name: string) => Number(name.split('-')[2]);
export const sandboxDirPid = (name: string) => Number(name.split('-')[0]);
