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

/** True when the archive is the simulated demo (no ARCHIVE_ROOT). */
export function isDemoArchive(s: Pick<ArchiveSettings, 'archiveRoot' | 'demoArchive'>): boolean {
  return !s.archiveRoot && s.demoArchive;
}
