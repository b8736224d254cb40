// Ingests the frames the tracker found complete, one file at a time, under the archive-wide ingest lock
// (so a full `drsoda ingest` never marks a just-landed frame missing). Idempotent: a file already indexed
// with the same size and mtime is not read again; a second copy of an indexed exposure is refused, as the
// archive ingest does (docs/archive.md).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readFrame } from '../archive/read-frame.js';
import { ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { findFrame, findFrameByPath, tryLockIngest, unlockIngest, upsertFrame } from '../store/frame-store.js';
import type { ReadyFile } from './file-tracker.js';

/** The error of a file that changed after it was judged complete: it goes back to the tracker, not into the record. */
export const CHANGED_SINCE_CHECK = 'the file changed after it was judged complete; it is checked again';

export interface IngestedFile {
  file: ReadyFile;
  /** The frame DID, or null when the file could not be indexed (error says why). */
  frameId: string | null;
  ndfClass: string | null;
  night: string | null;
  ingestedAt: Date;
  error: string | null;
}

export interface IngestFilesOptions {
  pool: Pool;
  root: string;
  authority: string;
  log: Logger;
  /** How long to wait for another process's ingest (a start-up ingest of a big archive) to finish. */
  lockWaitMs: number;
  signal?: AbortSignal;
}

async function withIngestLock<T>(o: IngestFilesOptions, fn: () => Promise<T>): Promise<T> {
  const client = await o.pool.connect();
  const deadline = Date.now() + o.lockWaitMs;
  try {
    while (!(await tryLockIngest(client))) {
      if (Date.now() >= deadline || o.signal?.aborted) throw new ServiceError('ServiceUnavailable', 'another archive ingest holds the lock');
      await new Promise((r) => setTimeout(r, 250));
    }
    try {
      return await fn();
    } finally {
      await unlockIngest(client).catch(() => {});
    }
  } finally {
    client.release();
  }
}

async function ingestOne(o: IngestFilesOptions, f: ReadyFile): Promise<IngestedFile> {
  const done = (frameId: string | null, ndfClass: string | null, night: string | null, error: string | null): IngestedFile =>
    ({ file: f, frameId, ndfClass, night, ingestedAt: new Date(), error });
  const known = await findFrameByPath(o.pool, o.root, f.relPath);
  if (known && known.sizeBytes === f.sizeBytes && known.mtime.getTime() === Math.floor(f.mtimeMs)) {
    return done(known.id, known.ndfClass, known.night, null);
  }
  const { frame, fibres } = await readFrame(f.absPath, f.relPath, o.authority, o.signal);
  if (frame.sizeBytes !== f.sizeBytes) return done(null, null, null, CHANGED_SINCE_CHECK);
  const owner = await findFrame(o.pool, frame.id);
  if (owner && !owner.missingSince && (owner.root !== o.root || owner.relPath !== f.relPath)) {
    const other = await stat(path.join(owner.root, owner.relPath)).catch(() => undefined);
    if (other?.isFile()) return done(null, null, null, `same exposure as ${owner.relPath} (${frame.id}); not indexed twice`);
  }
  await upsertFrame(o.pool, o.root, frame, fibres);
  return done(frame.id, frame.ndfClass, frame.night, null);
}

/**
 * Ingests each file; failures are returned per file (never thrown), except the lock: ServiceError
 * ServiceUnavailable when another ingest held it past lockWaitMs (the files are then tried again later).
 */
export async function ingestReadyFiles(o: IngestFilesOptions, files: readonly ReadyFile[]): Promise<IngestedFile[]> {
  if (!files.length) return [];
  return withIngestLock(o, async () => {
    const out: IngestedFile[] = [];
    for (const f of files) {
      if (o.signal?.aborted) break;
      try {
        out.push(await ingestOne(o, f));
      } catch (err) {
        out.push({ file: f, frameId: null, ndfClass: null, night: null, ingestedAt: new Date(), error: (err as Error).message });
      }
    }
    return out;
  });
}
