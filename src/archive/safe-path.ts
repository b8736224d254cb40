// Path safety for the archive: relative paths are checked lexically, then resolved through symlinks and
// required to stay inside the archive root, so no ID or URL can reach a file outside ARCHIVE_ROOT.
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ServiceError, notFound } from '../errors.js';

/**
 * True for a clean relative POSIX path: no NUL or backslash, not absolute, no empty, '.' or '..'
 * segments. Percent-decoding is the caller's job; '%2F' here is just three characters of a name.
 */
export function isSafeRelPath(rel: string): boolean {
  if (rel === '' || rel.length > 1024 || /[\0\\]/.test(rel) || rel.startsWith('/')) return false;
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** True when child (an absolute, symlink-free path) is root itself or inside it. */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves rel under root following symlinks, and refuses (NotFoundFault, without saying why, so probes
 * learn nothing) when the result leaves root or does not exist. Returns the real path.
 */
export async function resolveInsideRoot(root: string, rel: string): Promise<string> {
  if (!isSafeRelPath(rel)) throw notFound('no such file in the archive');
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(path.join(realRoot, rel));
  } catch {
    throw notFound('no such file in the archive');
  }
  if (!isInside(realRoot, real) || real === realRoot) throw notFound('no such file in the archive');
  return real;
}

export interface OpenedFile {
  handle: FileHandle;
  realPath: string;
  size: number;
  mtime: Date;
}

/**
 * Opens a regular file rel under root for reading. O_NOFOLLOW on the resolved path closes the window
 * in which its last component could be swapped for a symlink between the check and the open.
 * Throws NotFoundFault when the file is absent, outside root or not a regular file.
 */
export async function openInsideRoot(root: string, rel: string): Promise<OpenedFile> {
  const realPath = await resolveInsideRoot(root, rel);
  let handle: FileHandle;
  try {
    handle = await open(realPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new ServiceError('Error', 'archive file is not readable by the service');
    throw notFound('no such file in the archive');
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw notFound('no such file in the archive');
  }
  return { handle, realPath, size: st.size, mtime: st.mtime };
}
