// Finds raw AAT frames (DDmmmCRRRR.fits) under a folder, staying inside the archive root.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isRawFileName } from './frame-header.js';
import { isInside } from './safe-path.js';

export interface ScannedFile {
  /** POSIX path relative to the archive root. */
  relPath: string;
  absPath: string;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Entries skipped for safety (symlinks leaving the root), as relative paths. */
  refused: string[];
}

// Real archives are YYMMDD/ccd_N/file; a little more depth tolerates an extra grouping folder.
const MAX_DEPTH = 5;

/**
 * Walks dir (inside realRoot) for raw frame files, sorted by path. Hidden entries (the simulator's
 * temporary folders, editor files) are ignored; symlinked directories are not descended (no loops);
 * a symlinked file counts only when its target lies inside realRoot.
 */
export async function scanArchive(realRoot: string, dir: string, signal?: AbortSignal): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  const refused: string[] = [];
  const walk = async (abs: string, depth: number): Promise<void> => {
    signal?.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      // A folder that vanished or is unreadable mid-walk is skipped; its frames will count as missing.
      if (depth === 0) throw err;
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = path.join(abs, e.name);
      const relPath = path.relative(realRoot, child).split(path.sep).join('/');
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(child, depth + 1);
      } else if (isRawFileName(e.name)) {
        if (e.isSymbolicLink()) {
          const target = await realpath(child).catch(() => undefined);
          const st = target ? await stat(target).catch(() => undefined) : undefined;
          if (!target || !st?.isFile() || !isInside(realRoot, target)) {
            refused.push(relPath);
            continue;
          }
        } else if (!e.isFile()) continue;
        files.push({ relPath, absPath: child });
      }
    }
  };
  await walk(dir, 0);
  return { files, refused };
}
