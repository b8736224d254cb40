// The archive ingest: brings the frame index in line with the files under the archive root, reading
// only new or changed files, and marking frames whose file vanished (see docs/archive.md).
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { findFrame, listIndexedFiles, markMissing, tryLockIngest, unlockIngest, upsertFrame, type IndexedFile } from '../store/frame-store.js';
import { readFrame, sha256File } from './read-frame.js';
import { isInside } from './safe-path.js';
import { scanArchive, type ScannedFile } from './scan.js';

export interface IngestOptions {
  pool: Pool;
  /** The archive root (ARCHIVE_ROOT); stored with every row. */
  root: string;
  /** A folder inside root to ingest alone (default: all of root); frames elsewhere are left as they are. */
  dir?: string;
  authority: string;
  log: Logger;
  /** Re-hash files whose size and mtime are unchanged too (finds in-place edits that kept both). */
  verify?: boolean;
  /** How long to wait for another process's ingest to finish; 0 = fail at once. */
  lockWaitMs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  /** Told after each file: how many of the scanned files are done (for a progress bar; hashing takes hours on a big archive). */
  onProgress?: (done: number, total: number) => void;
}

export interface IngestReport {
  root: string;
  scanned: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Frames newly marked missing because their file is gone (or unreadable). */
  missing: number;
  failed: Array<{ relPath: string; error: string }>;
  /** Symlinks leaving the root, not indexed. */
  refused: string[];
  ms: number;
}

type Outcome = 'added' | 'updated' | 'unchanged' | 'failed';

async function ingestOne(o: IngestOptions, root: string, f: ScannedFile, known: IndexedFile | undefined, report: IngestReport): Promise<Outcome> {
  const st = await stat(f.absPath);
  const sameStat = known && known.sizeBytes === st.size && known.mtime.getTime() === st.mtime.getTime();
  if (sameStat && !o.verify) return 'unchanged';
  if (sameStat && o.verify && (await sha256File(f.absPath, o.signal)) === known.sha256) return 'unchanged';
  const { frame, fibres } = await readFrame(f.absPath, f.relPath, o.authority, o.signal);
  const owner = await findFrame(o.pool, frame.id);
  if (owner && !owner.missingSince && (owner.root !== root || owner.relPath !== f.relPath)) {
    // Two files claim one exposure. If the indexed one still exists this is a copy: keep the first;
    // if it is gone the file was moved, and the row follows it.
    const other = await stat(path.join(owner.root, owner.relPath)).catch(() => undefined);
    if (other?.isFile()) {
      report.failed.push({ relPath: f.relPath, error: `same exposure as ${owner.relPath} (${frame.id}); not indexed twice` });
      return 'failed';
    }
  }
  await upsertFrame(o.pool, root, frame, fibres);
  return known || owner ? 'updated' : 'added';
}

/** Runs fn over items with at most n in flight. */
async function eachLimited<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

async function lock(o: IngestOptions) {
  const client = await o.pool.connect();
  const deadline = Date.now() + (o.lockWaitMs ?? 0);
  try {
    while (!(await tryLockIngest(client))) {
      if (Date.now() >= deadline || o.signal?.aborted) throw new ServiceError('ServiceUnavailable', 'another archive ingest is running; try again when it has finished');
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (err) {
    client.release();
    throw err;
  }
  return async () => {
    await unlockIngest(client).catch(() => {});
    client.release();
  };
}

/**
 * Ingests o.dir (default o.root). Idempotent: files whose size and mtime match the index are not
 * read. Throws ServiceError UsageError when dir is outside root or root is not a folder, and
 * ServiceUnavailable when another ingest holds the lock past lockWaitMs. Unreadable or non-2dF files
 * are reported in failed, not thrown. When aborted, frames are not marked missing (the scan was partial).
 */
export async function ingestArchive(o: IngestOptions): Promise<IngestReport> {
  const started = Date.now();
  const root = path.resolve(o.root);
  const realRoot = await realpath(root).catch(() => {
    throw new ServiceError('UsageError', `archive root ${root} does not exist`);
  });
  const dir = await realpath(path.resolve(o.dir ?? root)).catch(() => {
    throw new ServiceError('UsageError', `${o.dir} does not exist`);
  });
  if (!isInside(realRoot, dir)) throw new ServiceError('UsageError', `${o.dir} is outside the archive root ${root}; set ARCHIVE_ROOT to ingest another archive`);
  const prefix = dir === realRoot ? '' : `${path.relative(realRoot, dir).split(path.sep).join('/')}/`;
  const release = await lock(o);
  try {
    const { files, refused } = await scanArchive(realRoot, dir, o.signal);
    const known = new Map((await listIndexedFiles(o.pool, root, prefix)).map((k) => [k.relPath, k]));
    const report: IngestReport = { root, scanned: files.length, added: 0, updated: 0, unchanged: 0, missing: 0, failed: [], refused, ms: 0 };
    const seen: string[] = [];
    let handled = 0;
    o.onProgress?.(0, files.length);
    await eachLimited(files, o.concurrency ?? 2, async (f) => {
      if (o.signal?.aborted) return;
      let outcome: Outcome;
      try {
        outcome = await ingestOne(o, root, f, known.get(f.relPath), report);
      } catch (err) {
        if (o.signal?.aborted) return;
        report.failed.push({ relPath: f.relPath, error: (err as Error).message });
        outcome = 'failed';
      }
      o.onProgress?.(++handled, files.length);
      if (outcome === 'failed') return;
      // A file that failed is left out of seen: its old row (if any) becomes missing rather than stale.
      seen.push(f.relPath);
      report[outcome]++;
    });
    for (const r of refused) o.log.warn({ relPath: r }, 'archive symlink leads outside the root; not indexed');
    for (const f of report.failed) o.log.warn({ relPath: f.relPath, error: f.error }, 'archive file not indexed');
    if (!o.signal?.aborted) report.missing = await markMissing(o.pool, root, prefix, seen);
    report.ms = Date.now() - started;
    return report;
  } finally {
    await release();
  }
}
