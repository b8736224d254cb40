// What the watcher remembers of each file it handled (watch_file): when it was first seen and landed, when it
// was ingested, its size and mtime (so a rescan skips it), its frame and programme, or why it failed.
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { recordWatchFile } from '../store/watch-store.js';
import { CHANGED_SINCE_CHECK, type IngestedFile } from './ingest-files.js';

/**
 * When the file landed: its mtime (the writer's last byte), unless that is far before the watcher first saw it
 * (a copy that kept an old mtime, e.g. rsync -t), then the first sighting; never after the ingest.
 */
export function landedAt(firstSeenAt: Date, mtimeMs: number, ingestedAt: Date, rescanS: number): Date {
  const mtime = Math.floor(mtimeMs);
  const landed = mtime < firstSeenAt.getTime() - 2 * rescanS * 1000 ? firstSeenAt.getTime() : mtime;
  return new Date(Math.min(landed, ingestedAt.getTime()));
}

export async function recordIngested(pool: Pool, root: string, done: readonly IngestedFile[], rescanS: number, log: Logger): Promise<void> {
  for (const r of done) {
    // A file that changed after the check is tracked again, not recorded.
    if (r.error === CHANGED_SINCE_CHECK) continue;
    if (r.error) log.warn({ relPath: r.file.relPath, error: r.error }, 'landed file not indexed');
    await recordWatchFile(pool, {
      root,
      relPath: r.file.relPath,
      firstSeenAt: r.file.firstSeenAt,
      landedAt: r.error ? null : landedAt(r.file.firstSeenAt, r.file.mtimeMs, r.ingestedAt, rescanS),
      ingestedAt: r.error ? null : r.ingestedAt,
      sizeBytes: r.file.sizeBytes,
      mtime: new Date(Math.floor(r.file.mtimeMs)),
      frameId: r.frameId,
      programme: r.file.programme,
      state: r.error ? 'failed' : 'ingested',
      error: r.error,
    });
  }
}
