// The checks of `drsoda doctor`, each bounded in time and returning what it found and, when something is
// wrong, the one thing to do about it. Nothing here changes state except a probe file in DATA_DIR.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveSettings, ExecutorSettings } from '../config.js';
import { createContainerClient } from '../executor/container-client.js';
import type { Logger } from '../logger.js';
import { readMigrations } from '../store/migrate.js';
import { probeDatabase } from '../store/database-probe.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do, when status is warn or fail. */
  fix?: string;
}

const GiB = 1024 ** 3;
const mask = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
const msg = (err: unknown) => (err as Error)?.message ?? String(err);

const FIX_CONNECT = 'start PostgreSQL or correct DATABASE_URL (host, port, user, password, database)';

/** Connects, reads the server version and compares applied migrations with migrations/. */
export async function checkDatabase(url: string, timeoutMs: number): Promise<CheckResult> {
  const name = 'database';
  const probe = await probeDatabase(url, timeoutMs);
  if (!probe.ok && probe.stage === 'connect') {
    return { name, status: 'fail', detail: `cannot connect to ${mask(url)}: ${probe.error}`, fix: FIX_CONNECT };
  }
  if (!probe.ok) return { name, status: 'fail', detail: `${mask(url)} answers but a query failed: ${probe.error}`, fix: 'check the database user may read the drsoda tables' };
  const applied = probe.applied;
  const known = readMigrations();
  const unknown = applied.filter((a) => !known.some((k) => k.id === a.id));
  const pending = known.filter((k) => !applied.some((a) => a.id === k.id));
  const where = `PostgreSQL ${probe.serverVersion} at ${mask(url)}`;
  if (unknown.length) return { name, status: 'fail', detail: `${where}: it has migrations this drsoda does not know (${unknown.map((u) => u.name).join(', ')})`, fix: 'this database belongs to a newer drsoda: upgrade drsoda (docs/operations.md#upgrades)' };
  if (pending.length) return { name, status: 'warn', detail: `${where}: ${pending.length} migration(s) not applied (${pending.map((p) => p.name).join(', ')})`, fix: 'run `drsoda migrate` (drsoda serve also applies them at start)' };
  return { name, status: 'ok', detail: `${where}, schema up to date (${applied.length} migrations)` };
}

export interface DockerFindings {
  docker: CheckResult;
  image: CheckResult;
}

export type DockerCheckSettings = Pick<ExecutorSettings, 'kind' | 'dockerHost' | 'image'> & { slurm?: Pick<ExecutorSettings['slurm'], 'runtime'> };

/** The daemon (DOCKER_HOST) and the pipeline image: presence, id and registry digest. */
export async function checkDocker(x: DockerCheckSettings, log: Logger, timeoutMs: number): Promise<DockerFindings> {
  const image = x.image;
  if (x.kind === 'local' || (x.kind === 'slurm' && x.slurm?.runtime !== 'docker')) {
    const why =
      x.kind === 'local' ? 'EXECUTOR=local: steps run as local processes'
      : x.slurm?.runtime === 'podman' ? `EXECUTOR=slurm, SLURM_RUNTIME=podman: the nodes run ${image} with podman, from their own image stores`
      : 'EXECUTOR=slurm, SLURM_RUNTIME=native: steps run aaorun on the Slurm nodes';
    const skip = (name: string): CheckResult => ({ name, status: 'skip', detail: why });
    return { docker: skip('docker'), image: skip('pipeline image') };
  }
  const where = x.dockerHost ?? 'unix:///var/run/docker.sock';
  // Without EXECUTOR=docker a missing daemon is not fatal: serve falls back to local processes.
  const severity: CheckStatus = x.kind === 'docker' ? 'fail' : 'warn';
  try {
    const docker = createContainerClient({ dockerHost: x.dockerHost, log, timeouts: { imageMs: timeoutMs } });
    const v = await docker.version();
    const found: DockerFindings = { docker: { name: 'docker', status: 'ok', detail: `Docker ${v.version} (API ${v.apiVersion}, ${v.os}/${v.arch}) at ${where}` }, image: { name: 'pipeline image', status: 'ok', detail: '' } };
    try {
      const info = await docker.inspectImage(image);
      const digest = info.repoDigests[0]?.split('@')[1];
      const hash = info.labels['drsoda.reducer.hash'];
      found.image.detail = `${image}: id ${info.id}${digest ? `, digest ${digest}` : ', built locally (no registry digest)'}, created ${info.created}${hash ? `, reducer hash ${hash}` : ''}`;
    } catch (err) {
      found.image = { name: 'pipeline image', status: 'fail', detail: `${image} is not on the daemon at ${where} (${msg(err)})`, fix: `build the reference reducer with \`npm run image:reducer\`, or load your 2dFdr image (deploy/2dfdr/README.md) and set PIPELINE_IMAGE` };
    }
    return found;
  } catch (err) {
    return {
      docker: { name: 'docker', status: severity, detail: `no Docker daemon answers at ${where}: ${msg(err)}`, fix: 'start dockerd (or fix DOCKER_HOST); EXECUTOR=local runs steps as local processes instead' },
      image: { name: 'pipeline image', status: 'skip', detail: 'no daemon to ask' },
    };
  }
}

/** Free space where DATA_DIR lives, and that drsoda may write there. */
export async function checkDisk(dataDir: string, minFreeGiB: number): Promise<CheckResult[]> {
  let probeDir = dataDir;
  while (!existsSync(probeDir) && path.dirname(probeDir) !== probeDir) probeDir = path.dirname(probeDir);
  const s = await statfs(probeDir);
  const free = s.bavail * s.bsize;
  const share = s.blocks ? s.bavail / s.blocks : 0;
  const what = `${(free / GiB).toFixed(1)} GiB free (${Math.round(share * 100)}%) on the file system of ${dataDir}`;
  const disk: CheckResult =
    free < GiB ? { name: 'disk space', status: 'fail', detail: what, fix: 'free space now: products, job results and logs under DATA_DIR fill it (docs/operations.md#retention)' }
      : free < minFreeGiB * GiB ? { name: 'disk space', status: 'warn', detail: `${what}, below ${minFreeGiB} GiB`, fix: 'shorten UWS_DEFAULT_DESTRUCTION_S / clean the product cache (docs/operations.md#retention), or grow the volume' }
        : { name: 'disk space', status: 'ok', detail: what };
  let writable: CheckResult;
  try {
    await mkdir(dataDir, { recursive: true });
    const probe = path.join(dataDir, `.doctor-${process.pid}`);
    await writeFile(probe, 'ok');
    await rm(probe);
    writable = { name: 'data dir', status: 'ok', detail: `${dataDir} is writable` };
  } catch (err) {
    writable = { name: 'data dir', status: 'fail', detail: `cannot write in ${dataDir}: ${msg(err)}`, fix: 'give the drsoda user write access to DATA_DIR, or point DATA_DIR elsewhere' };
  }
  return [writable, disk];
}

/** The archive root exists, is readable and holds YYMMDD night folders. */
export async function checkArchive(config: ArchiveSettings): Promise<CheckResult> {
  const name = 'archive root';
  const root = config.archiveRoot;
  if (!root) {
    return config.demoArchive
      ? { name, status: 'ok', detail: `ARCHIVE_ROOT unset: the demo night under ${path.join(config.dataDir, 'demo-archive')} is served` }
      : { name, status: 'warn', detail: 'ARCHIVE_ROOT unset and DEMO_ARCHIVE=false: there are no raw frames to reduce', fix: 'set ARCHIVE_ROOT to the folder of YYMMDD/ccd_N/*.fits' };
  }
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) return { name, status: 'fail', detail: `${root} is not a folder`, fix: 'mount the archive, or correct ARCHIVE_ROOT' };
  try {
    const nights = (await readdir(root)).filter((n) => /^\d{6}$/.test(n));
    if (!nights.length) return { name, status: 'warn', detail: `${root} holds no YYMMDD night folders`, fix: 'ARCHIVE_ROOT must be the folder above the nights (YYMMDD/ccd_1/*.fits)' };
    nights.sort();
    return { name, status: 'ok', detail: `${root}: ${nights.length} night folder(s), ${nights[0]} to ${nights[nights.length - 1]}` };
  } catch (err) {
    return { name, status: 'fail', detail: `cannot read ${root}: ${msg(err)}`, fix: 'give the drsoda user read access to the archive' };
  }
}
