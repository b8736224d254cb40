// The archive watcher (`drsoda watch`, or `serve` with WATCH_ENABLED): file-system events and a periodic
// rescan feed the landing tracker; complete files are ingested; the rules engine makes auto jobs through an
// ordinary /soda/async job list (the composition root's, with its decorators) owned by the service identity; ended jobs are counted into the metrics.
// One loop, one step at a time, so nothing here races with itself; the database arbitrates between processes.
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import client from 'prom-client';
import { archiveRootOf, isDemoArchive } from '../archive/archive-root.js';
import type { Clock } from '../clock.js';
import type { PipelineIdentity } from '../domain/plan.js';
import type { ArchiveSettings, WatchSettings } from '../config.js';
import { ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { openWatchRoot, releaseStaleClaims, setLastScan, watchFilesAt, watchFilesUnder } from '../store/watch-store.js';
import type { JobList } from '../uws/job-list.js';
import { createAutoReducer, type AutoReducer } from './auto-reducer.js';
import { FileTracker, type ReadyFile } from './file-tracker.js';
import { watchArchive } from './fs-events.js';
import { CHANGED_SINCE_CHECK, ingestReadyFiles } from './ingest-files.js';
import { recordIngested } from './record-files.js';
import { rescanChangedFolders } from './rescan.js';
import { loadRules } from './rules.js';
import { accountEndedJobs, createTurnaroundMetrics } from './turnaround.js';

export interface WatchDeps {
  watch: WatchSettings;
  archive: ArchiveSettings;
  /** IVO_AUTHORITY of the ingested frames' DIDs. */
  authority: string;
  /** Anonymous mode: auto jobs are readable by everyone. */
  publicJobs: boolean;
  pool: Pool;
  log: Logger;
  clock: Clock;
  /** The /soda/async job list auto jobs are made through: the same runner, plan, engine and notifications as a user's. */
  jobs: JobList;
  /** The engine's pipeline (Engine.pipeline): auto jobs are planned as their runner plans them. */
  pipeline: PipelineIdentity;
  /** The process's metrics registry (src/ops/metrics.ts); default: a registry of the watcher's own. */
  registry?: client.Registry;
  /** false: rescans only, as on a file system that delivers no events (tests of the safety net). Default true. */
  fileEvents?: boolean;
}

export interface Watcher {
  readonly root: string;
  readonly registry: client.Registry;
  readonly reducer: AutoReducer;
  /** Files still landing, with what each waits for. */
  landing(): Array<{ relPath: string; waitingFor: string }>;
  /**
   * The catch-up at start: the files the first rescan found changed since the last run, how many are handled
   * (ingested, failed or found broken), and whether all are. Files landing meanwhile join it.
   */
  catchUp(): CatchUp;
  stop(): Promise<void>;
}

export interface CatchUp {
  done: number;
  total: number;
  finished: boolean;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Starts watching the archive root. Throws ConfigError for bad rules, Error when there is no archive to watch. */
export async function startWatch(d: WatchDeps): Promise<Watcher> {
  const rules = loadRules(d.watch.rules);
  const root = archiveRootOf(d.archive);
  if (!root) throw new Error('no archive to watch: set ARCHIVE_ROOT');
  // The demo archive (no ARCHIVE_ROOT) is simulated in place after start: its folder may not exist yet.
  if (isDemoArchive(d.archive)) await mkdir(root, { recursive: true });
  const realRoot = await realpath(root).catch(() => {
    throw new Error(`archive root ${root} does not exist`);
  });
  const log = d.log.child({ component: 'watch', archiveRoot: root });
  const w = d.watch;
  const abort = new AbortController();
  const registry = d.registry ?? new client.Registry();

  const { firstRun, lastScanAt } = await openWatchRoot(d.pool, root);
  const reducer = createAutoReducer({
    pool: d.pool, root, authority: d.authority, rules, log, pipeline: d.pipeline,
    jobs: d.jobs,
    owner: { userId: w.user, admin: false },
    public: d.publicJobs,
    retryMs: w.rescanS * 1000,
  });
  const tracker = new FileTracker({ stableMs: w.stableMs, brokenAfterMs: Math.max(60_000, 10 * w.stableMs) });
  const metrics = createTurnaroundMetrics(registry, () => tracker.size);
  const events = d.fileEvents === false
    ? { armed: false, rearm: () => false, close: () => {} }
    : watchArchive(realRoot, log, (rel) => tracker.add(rel, path.join(realRoot, rel)));

  // Folders changed this long before the last scan are read again: clocks and mtimes are coarse on some file systems.
  const marginMs = 2 * w.rescanS * 1000;
  let scanSince = new Date((firstRun ? Date.now() : lastScanAt.getTime()) - marginMs);
  let nextRescan = 0;
  let nextEvaluate = 0;
  let queue: ReadyFile[] = [];
  const catchUp: CatchUp = { done: 0, total: 0, finished: false };
  let scanned = false;
  log.info({ firstRun, rules: rules.rules.map((r) => r.name), owner: w.user, events: events.armed }, 'archive watcher started');

  async function rescan(): Promise<void> {
    const started = new Date();
    const { files } = await rescanChangedFolders(realRoot, scanSince, abort.signal);
    const byDir = new Map<string, typeof files>();
    for (const f of files) byDir.set(path.posix.dirname(f.relPath), [...(byDir.get(path.posix.dirname(f.relPath)) ?? []), f]);
    for (const [dir, list] of byDir) {
      const known = await watchFilesUnder(d.pool, root!, `${dir}/`);
      for (const f of list) {
        if (tracker.has(f.relPath)) continue;
        const k = known.get(f.relPath);
        const st = k ? await stat(f.absPath).catch(() => undefined) : undefined;
        if (k && st && k.sizeBytes === st.size && k.mtime?.getTime() === st.mtime.getTime()) continue;
        tracker.add(f.relPath, f.absPath);
      }
    }
    scanSince = new Date(started.getTime() - marginMs);
    await setLastScan(d.pool, root!, started);
    const released = await releaseStaleClaims(d.pool, 300);
    if (released) log.warn({ released }, 'released auto-job claims left by a stopped watcher');
    if (d.fileEvents !== false && !events.armed && events.rearm()) log.info('archive file-system watch re-armed');
  }

  async function ingest(): Promise<number> {
    const { ready, broken } = await tracker.poll();
    // An event about a file already handled (a late inotify event, a touch that kept the bytes) changes nothing.
    const recorded = ready.length ? await watchFilesAt(d.pool, root!, ready.map((f) => f.relPath)) : new Map();
    queue.push(...ready.filter((f) => {
      const r = recorded.get(f.relPath);
      return !(r && r.sizeBytes === f.sizeBytes && r.mtime?.getTime() === Math.floor(f.mtimeMs));
    }));
    for (const b of broken) {
      log.warn({ relPath: b.relPath, reason: b.reason }, 'landed file is not a whole FITS frame; not ingested (checked again when it changes)');
      metrics.fileOutcome('failed');
    }
    if (!catchUp.finished) catchUp.done += broken.length;
    if (!queue.length) return 0;
    let done;
    try {
      done = await ingestReadyFiles({ pool: d.pool, root: root!, authority: d.authority, log, lockWaitMs: 5000, signal: abort.signal }, queue);
    } catch (err) {
      if (err instanceof ServiceError && err.label === 'ServiceUnavailable') return 0; // another ingest runs: next loop
      throw err;
    }
    queue = queue.slice(done.length);
    if (!catchUp.finished) catchUp.done += done.filter((r) => r.error !== CHANGED_SINCE_CHECK).length;
    for (const r of done) {
      if (r.error === CHANGED_SINCE_CHECK) tracker.add(r.file.relPath, r.file.absPath, r.file.firstSeenAt);
      else metrics.fileOutcome(r.error ? 'failed' : 'ingested');
      if (r.night) reducer.noteIngested(r.night);
    }
    await recordIngested(d.pool, root!, done, w.rescanS, log);
    return done.filter((r) => !r.error).length;
  }

  function noteCatchUp(): void {
    if (catchUp.finished || !scanned) return;
    const waiting = tracker.size + queue.length;
    catchUp.total = Math.max(catchUp.total, catchUp.done + waiting);
    if (waiting === 0) {
      catchUp.finished = true;
      log.info({ files: catchUp.done }, 'archive catch-up done');
    }
  }

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const t = Date.now();
        if (t >= nextRescan) {
          await rescan();
          scanned = true;
          nextRescan = t + w.rescanS * 1000;
        }
        const ingested = await ingest();
        noteCatchUp();
        if (ingested || t >= nextEvaluate) {
          await reducer.evaluate();
          await accountEndedJobs(d.pool, metrics, log);
          nextEvaluate = t + Math.min(2000, w.rescanS * 1000);
        }
      } catch (err) {
        if (!abort.signal.aborted) log.error({ err }, 'archive watcher pass failed; retrying');
      }
      await sleep(w.pollMs, abort.signal);
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    root,
    registry,
    reducer,
    landing: () => tracker.pending().map((c) => ({ relPath: c.relPath, waitingFor: c.waitingFor })),
    catchUp: () => ({ ...catchUp }),
    stop() {
      // Idempotent: the composition root stops it too when it closes.
      return (stopped ??= (async () => {
        abort.abort();
        events.close();
        await loop;
      log.info('archive watcher stopped');
      })());
    },
  };
}
