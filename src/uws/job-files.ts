// A job's directory under DATA_DIR/uws/<jobId>: result files written by runners and inline uploads
// (params/<name>). Removed with the job (delete or destruction).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { usageError } from '../errors.js';
import { pidAlive } from '../process-alive.js';

/** Job ids are what we mint (uws/ids.ts): checked before they become a path. */
const jobIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function jobDir(dataDir: string, jobId: string): string {
  if (!jobIdPattern.test(jobId)) throw new Error(`not a job id: ${jobId}`);
  return path.join(dataDir, 'uws', jobId);
}

/** Upload part names become file names: a conservative set, never starting with a dot. */
const uploadNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export function checkUploadName(name: string): void {
  if (!uploadNamePattern.test(name)) {
    throw usageError(`upload part name ${JSON.stringify(name.slice(0, 64))} must be 1-64 letters, digits, '_', '-' or '.', not starting with '.'`);
  }
}

export const uploadPath = (dataDir: string, jobId: string, name: string) => path.join(jobDir(dataDir, jobId), 'params', name);

/** `uws/.creating-<host>-<pid>-<jobId>`: this process is staging the job's uploads (see recoverJobDirs). */
const creatingMarker = (dataDir: string, jobId: string) => path.join(dataDir, 'uws', `.creating-${os.hostname()}-${process.pid}-${jobId}`);

/**
 * Writes uploads under temporary names; commit() renames them into place, discard() removes them.
 * So a request rejected after the files were written leaves the job's files as they were. A marker naming
 * this process is written first and removed last, so a crash in between is repaired by recoverJobDirs.
 */
export async function stageUploads(dataDir: string, jobId: string, files: ReadonlyArray<{ name: string; data: Buffer }>) {
  const dir = path.join(jobDir(dataDir, jobId), 'params');
  const marker = creatingMarker(dataDir, jobId);
  const staged: Array<{ tmp: string; final: string }> = [];
  if (files.length) {
    await mkdir(path.dirname(marker), { recursive: true });
    await writeFile(marker, '');
    await mkdir(dir, { recursive: true });
  }
  const unmark = () => (files.length ? unlink(marker).catch(() => {}) : Promise.resolve());
  const discard = async () => {
    await Promise.all(staged.map((s) => unlink(s.tmp).catch(() => {})));
    await unmark();
  };
  try {
    for (const f of files) {
      const tmp = path.join(dir, `.${f.name}.${randomBytes(4).toString('hex')}.tmp`);
      staged.push({ tmp, final: path.join(dir, f.name) });
      await writeFile(tmp, f.data);
    }
  } catch (err) {
    await discard();
    throw err;
  }
  return {
    commit: async () => {
      for (const s of staged) await rename(s.tmp, s.final);
      await unmark();
    },
    discard,
  };
}

/**
 * Repairs job dirs a process of this host left mid-creation when it died (SIGKILL, power loss): the staged
 * uploads of a job that was stored are renamed into place where none is (they were complete before the insert),
 * and the dir of a job that was never stored is removed. Returns how many dirs were repaired or removed.
 */
export async function recoverJobDirs(dataDir: string, jobExists: (id: string) => Promise<boolean>): Promise<number> {
  let n = 0;
  const root = path.join(dataDir, 'uws');
  for (const f of await readdir(root).catch(() => [] as string[])) {
    const m = /^\.creating-(.+)-(\d+)-([A-Za-z0-9_-]{1,64})$/.exec(f);
    if (!m || m[1] !== os.hostname() || Number(m[2]) === process.pid || pidAlive(Number(m[2]))) continue;
    const id = m[3];
    n++;
    if (!(await jobExists(id))) await removeJobDir(dataDir, id);
    else {
      const params = path.join(jobDir(dataDir, id), 'params');
      for (const t of await readdir(params).catch(() => [] as string[])) {
        const staged = /^\.(.+)\.[0-9a-f]{8}\.tmp$/.exec(t);
        if (!staged) continue;
        // An upload already in place was committed before (a parameter update that died): it stays as stored.
        if (await stat(path.join(params, staged[1])).catch(() => null)) await unlink(path.join(params, t)).catch(() => {});
        else await rename(path.join(params, t), path.join(params, staged[1]));
      }
    }
    await unlink(path.join(root, f)).catch(() => {});
  }
  return n;
}

/**
 * The real path of a file below the job's folder when it is a regular file that (symlinks followed) stays inside
 * that folder; null otherwise. What is served from a job's folder goes through here, so a link planted there
 * cannot expose another file.
 */
export async function realJobFile(dataDir: string, jobId: string, rel: string): Promise<string | null> {
  try {
    const root = await realpath(jobDir(dataDir, jobId));
    const real = await realpath(path.resolve(root, rel));
    const inside = path.relative(root, real);
    if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

export async function removeJobDir(dataDir: string, jobId: string): Promise<void> {
  await rm(jobDir(dataDir, jobId), { recursive: true, force: true });
  await rm(creatingMarker(dataDir, jobId), { force: true });
}

/**
 * Resolves a runner's result file (relative to the job directory, or absolute inside it) and its size.
 * Throws when it escapes the directory or does not exist.
 */
export async function resolveResultFile(dataDir: string, jobId: string, file: string): Promise<{ rel: string; size: number }> {
  const dir = jobDir(dataDir, jobId);
  const abs = path.resolve(dir, file);
  const rel = path.relative(dir, abs);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`result file ${file} is outside the job directory`);
  const st = await stat(abs);
  if (!st.isFile()) throw new Error(`result file ${file} is not a regular file`);
  return { rel, size: st.size };
}
