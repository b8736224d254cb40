// Start-up hygiene: containers and folders left by workers on this host that died without cleaning up
// (kill -9, power loss). Their steps are re-run by lease expiry; this removes the leftovers.
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { LABEL_PREFIX, removeLabelledContainers, withDeadline } from '../executor/docker-common.js';

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Worker ids are host:pid:random; a worker of this host whose pid is gone is dead. */
export function isDeadLocalWorker(workerId: string, host = os.hostname()): boolean {
  const [h, pid] = workerId.split(':');
  return h === host && !pidAlive(Number(pid));
}

export async function reapOrphanContainers(docker: Docker): Promise<number> {
  const list = await withDeadline(
    docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.managed=true`] }) }),
    30000,
    'docker ps',
  );
  let n = 0;
  for (const c of list) {
    const worker = c.Labels[`${LABEL_PREFIX}.worker`];
    if (worker && isDeadLocalWorker(worker)) n += await removeLabelledContainers(docker, { [`${LABEL_PREFIX}.worker`]: worker });
  }
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
