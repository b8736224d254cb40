// Which folder is the raw archive of this process: ARCHIVE_ROOT, else the demo archive under DATA_DIR.
import path from 'node:path';
import type { ArchiveSettings } from '../config.js';

/** Folder (below DATA_DIR) that holds the simulated demo night when ARCHIVE_ROOT is unset. */
export const DEMO_ARCHIVE_DIR = 'demo-archive';

/** The archive root to index and serve, or undefined when there is none (ARCHIVE_ROOT unset, DEMO_ARCHIVE=false). */
export function archiveRootOf(s: ArchiveSettings): string | undefined {
  if (s.archiveRoot) return s.archiveRoot;
  return s.demoArchive ? path.join(s.dataDir, DEMO_ARCHIVE_DIR) : undefined;
}

export const noArchiveMessage = 'no archive to reduce from: set ARCHIVE_ROOT to the folder of raw frames, or DEMO_ARCHIVE=true for the simulated demo night';

/** The archive root SODA resolves IDs against; throws an Error saying what to set when there is none. */
export function requireArchiveRoot(s: ArchiveSettings): string {
  const root = archiveRootOf(s);
  if (!root) throw new Error(noArchiveMessage);
  return root;
}

/** True when the archive is the simulated demo (no ARCHIVE_ROOT). */
export function isDemoArchive(s: Pick<ArchiveSettings, 'archiveRoot' | 'demoArchive'>): boolean {
  return !s.archiveRoot && s.demoArchive;
}
