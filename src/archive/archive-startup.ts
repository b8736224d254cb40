// What `serve` does for the archive at start, in the background so the server answers at once: make the
// demo night when there is no ARCHIVE_ROOT, ingest the archive, and log the counts (and, for the demo,
// a few object-frame IDs with a curl command that downloads one).
import type { ArchiveSettings } from '../config.js';
import { ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { listFrames } from '../store/frame-store.js';
import { archiveRootOf, isDemoArchive } from './archive-root.js';
import { makeDemoArchive } from './demo-archive.js';
import { rawFileUrl } from './frame-json.js';
import { ingestArchive, type IngestReport } from './ingest.js';

/** Makes the demo night under root unless it is already there; returns true when it simulated now. */
export type DemoMaker = (root: string, log: Logger) => Promise<boolean>;

export interface ArchiveStartup {
  /** Settles when the start-up work has finished (or failed, which is logged, never thrown). */
  done: Promise<IngestReport | undefined>;
  /** Aborts the ingest and waits for it to let go of the database. */
  stop(): Promise<void>;
}

export interface ArchiveStartupDeps {
  archive: ArchiveSettings;
  /** Service URL, for the demo night's example command. */
  baseUrl: string;
  /** IVO_AUTHORITY of the frames' publisher DIDs. */
  authority: string;
  pool: Pool;
  log: Logger;
  makeDemo?: DemoMaker;
}

/** Logs object frames of the demo night with a command that works as printed. */
async function announceDemo(d: ArchiveStartupDeps): Promise<void> {
  const { frames } = await listFrames(d.pool, { ndfClass: ['MFOBJECT'] }, { limit: 4, offset: 0 });
  if (!frames.length) return;
  const ids = frames.map((f) => f.id);
  const tryIt = `curl -fsS -o ${frames[0].fileName} '${rawFileUrl(d.baseUrl, ids[0])}'`;
  d.log.info({ objectFrames: ids, tryIt, listing: `${d.baseUrl}/api/frames?class=MFOBJECT` }, 'demo archive ready');
}

/**
 * Resolves with p, or with undefined as soon as signal aborts: the simulator cannot be interrupted, and
 * shutdown must not wait for it (its temporary folder is cleaned by the next start).
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function startArchive(d: ArchiveStartupDeps): ArchiveStartup {
  const abort = new AbortController();
  const root = archiveRootOf(d.archive);
  const log = d.log.child({ archiveRoot: root });
  const run = async (): Promise<IngestReport | undefined> => {
    if (!root) {
      log.info('no raw archive configured (ARCHIVE_ROOT unset, DEMO_ARCHIVE=false)');
      return undefined;
    }
    const demo = isDemoArchive(d.archive);
    if (demo) await untilAborted((d.makeDemo ?? makeDemoArchive)(root, log), abort.signal);
    if (abort.signal.aborted) return undefined;
    const r = await ingestArchive({ pool: d.pool, root, authority: d.authority, log, signal: abort.signal });
    log.info({ scanned: r.scanned, added: r.added, updated: r.updated, unchanged: r.unchanged, missing: r.missing, failed: r.failed.length, refused: r.refused.length, ms: r.ms }, 'archive ingested');
    if (demo && !abort.signal.aborted) await announceDemo({ ...d, log });
    return r;
  };
  const done = run().catch((err) => {
    // Another process ingesting the same database (a `drsoda ingest` or a second server) is not a fault.
    if (err instanceof ServiceError && err.label === 'ServiceUnavailable') log.warn({ detail: err.message }, 'archive ingest skipped');
    else if (!abort.signal.aborted) log.error({ err }, 'archive start-up failed');
    return undefined;
  });
  return {
    done,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}
