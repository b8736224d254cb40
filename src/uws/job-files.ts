// A job's directory under DATA_DIR/uws/<jobId>: result files written by runners and inline uploads
// (params/<name>). Removed with the job (delete or destruction).
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';

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

/**
 * Writes uploads under temporary names; commit() renames them into place, discard() removes them.
 * So a request rejected after the files were written leaves the job's files as they were.
 */
export async function stageUploads(dataDir: string, jobId: string, files: ReadonlyArray<{ name: string; data: Buffer }>) {
  const dir = path.join(jobDir(dataDir, jobId), 'params');
  const staged: Array<{ tmp: string; final: string }> = [];
  if (files.length) await mkdir(dir, { recursive: true });
  const discard = async () => {
    await Promise.all(staged.map((s) => unlink(s.tmp).catch(() => {})));
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
    },
    discard,
  };
}

export async function removeJobDir(dataDir: string, jobId: string): Promise<void> {
  await rm(jobDir(dataDir, jobId), { recursive: true, force: true });
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
