// The start-up reaper removes what workers of this host left behind when they died, and nothing of live ones.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerClient } from '../../src/executor/container-client.js';
import { containerLabels, LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { isDeadLocalWorker, reapOrphanContainers, reapOrphanDirs, sandboxDirPid, workDirPid } from '../../src/executor/orphan-reaper.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images.js';

/** The pid of a process that has already exited. */
const deadPid = () => spawnSync('true').pid!;

describe('orphan reaper', () => {
  let containers: ContainerClient;
  const tag = `${process.pid}-${Date.now()}`;
  const dead = `${os.hostname()}:${deadPid()}:${tag}`;
  const live = `${os.hostname()}:${process.pid}:${tag}`;
  const elsewhere = `another-host-${tag}:1:${tag}`;
  const create = (workerId: string) =>
    containers.create({
      image: BUSYBOX_IMAGE, entrypoint: ['sleep'], cmd: ['30'], workingDir: '/', user: '10001:10001', env: {}, binds: [],
      labels: containerLabels({ workerId, stepId: `reaper-${tag}` }),
      limits: { cpus: 0.1, memoryBytes: 16 * 1024 * 1024, pids: 8, tmpfsBytes: 1024 * 1024 },
    });

  beforeAll(async () => {
    containers = await requireContainers();
    await ensureBusyboxImage(await requireDocker());
  });
  afterAll(async () => {
    await containers.removeLabelled({ [`${LABEL_PREFIX}.step`]: `reaper-${tag}` });
  });

  it('tells dead workers of this host from live ones and from other hosts', () => {
    expect(isDeadLocalWorker(dead)).toBe(true);
    expect(isDeadLocalWorker(live)).toBe(false);
    expect(isDeadLocalWorker(elsewhere)).toBe(false);
  });

  it('removes the containers of dead workers of this host only', async () => {
    await Promise.all([create(dead), create(dead), create(live), create(elsewhere)]);
    const byWorker = async (w: string) => (await containers.list({ [`${LABEL_PREFIX}.worker`]: w })).length;
    expect(await reapOrphanContainers(containers)).toBeGreaterThanOrEqual(2);
    expect([await byWorker(dead), await byWorker(live), await byWorker(elsewhere)]).toEqual([0, 1, 1]);
  });

  it('removes the work and sandbox folders of dead processes', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-reaper-'));
    const pid = deadPid();
    const folders = {
      deadWork: path.join(root, 'work', `step1-1-${pid}-abc`),
      liveWork: path.join(root, 'work', `step2-1-${process.pid}-abc`),
      deadSandbox: path.join(root, 'sandboxes', `${pid}-kz1-abc`),
      liveSandbox: path.join(root, 'sandboxes', `${process.pid}-kz1-abc`),
    };
    for (const f of Object.values(folders)) mkdirSync(f, { recursive: true });
    expect(await reapOrphanDirs(path.join(root, 'work'), workDirPid)).toBe(1);
    expect(await reapOrphanDirs(path.join(root, 'sandboxes'), sandboxDirPid)).toBe(1);
    expect(await reapOrphanDirs(path.join(root, 'missing'), workDirPid)).toBe(0);
    expect(Object.fromEntries(Object.entries(folders).map(([k, f]) => [k, existsSync(f)]))).toEqual({ deadWork: false, liveWork: true, deadSandbox: false, liveSandbox: true });
  });
});
