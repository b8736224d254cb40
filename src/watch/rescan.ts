// The watcher's safety net: walks the archive's folders and reads only those whose mtime moved since the
// last scan (a file created or renamed into a folder changes the folder's mtime), so a rescan of years of
// nights costs one stat per folder. Network file systems drop inotify events; this finds what they missed.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isRawFileName } from '../archive/frame-header.js';
import { isInside } from '../archive/safe-path.js';

// As archive/scan.ts: YYMMDD/ccd_N/file, with a little more depth for an extra grouping folder.
const MAX_DEPTH = 5;

export interface RescanResult {
  /** Raw files in the folders that changed, as POSIX paths relative to the root. */
  files: Array<{ relPath: string; absPath: string }>;
  /** Folders read (their mtime was at or after `since`). */
  foldersRead: number;
}

/**
 * Lists raw frame files of every folder under root whose mtime is at or after `since` (all folders when
 * since is null). Hidden entries are skipped; symlinked folders are not followed; a symlinked file counts
 * only when it resolves inside the root. Folders that vanish mid-walk are skipped.
 */
export async function rescanChangedFolders(root: string, since: Date | null, signal?: AbortSignal): Promise<RescanResult> {
  const realRoot = await realpath(root);
  const out: RescanResult = { files: [], foldersRead: 0 };
  const walk = async (abs: string, depth: number): Promise<void> => {
    signal?.throwIfAborted();
    let entries: Dirent[];
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(abs)).mtimeMs;
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      if (depth === 0) throw err;
      return;
    }
    const read = since === null || mtimeMs >= since.getTime();
    if (read) out.foldersRead++;
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = path.join(abs, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(child, depth + 1);
        continue;
      }
      if (!read || !isRawFileName(e.name)) continue;
      if (e.isSymbolicLink()) {
        const target = await realpath(child).catch(() => undefined);
        if (!target || !isInside(realRoot, target)) continue;
      } else if (!e.isFile()) continue;
      out.files.push({ relPath: path.relative(realRoot, child).split(path.sep).join('/'), absPath: child });
    }
  };
  await walk(realRoot, 0);
  return out;
}
