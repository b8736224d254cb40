// watch_root, watch_file, auto_job, auto_job_frame: what the archive watcher saw land and the auto jobs its
// rules made (migrations/000006_watch.sql). A (kind, subject) pair is claimed once, so nothing is reduced twice.
import { fibreFrameClasses } from '../domain/frame.js';
import { withTransaction, type Pool, type Queryable } from './db.js';

/** Registers the root; firstRun is true when this database never watched it before. */
export async function openWatchRoot(db: Queryable, root: string): Promise<{ firstRun: boolean; lastScanAt: Date }> {
  const ins = await db.query('insert into watch_root (root) values ($1) on conflict do nothing returning last_scan_at', [root]);
  if (ins.rows.length) return { firstRun: true, lastScanAt: ins.rows[0].last_scan_at };
  const { rows } = await db.query('select last_scan_at from watch_root where root = $1', [root]);
  return { firstRun: false, lastScanAt: rows[0].last_scan_at };
}

export async function setLastScan(db: Queryable, root: string, at: Date): Promise<void> {
  await db.query('update watch_root set last_scan_at = greatest(last_scan_at, $2) where root = $1', [root, at]);
}

export interface WatchFileState {
  sizeBytes: number | null;
  mtime: Date | null;
  state: 'ingested' | 'failed';
}

/** Files the watcher recorded under a folder of the root (prefix ends with '/'), by relative path. */
export async function watchFilesUnder(db: Queryable, root: string, prefix: string): Promise<Map<string, WatchFileState>> {
  const { rows } = await db.query(
    `select rel_path, size_bytes, mtime, state from watch_file where root = $1 and left(rel_path, length($2)) = $2`,
    [root, prefix],
  );
  return new Map(rows.map((r) => [r.rel_path as string, { sizeBytes: r.size_bytes, mtime: r.mtime, state: r.state }]));
}

/** The recorded state of these files (by relative path), for skipping files seen again unchanged. */
export async function watchFilesAt(db: Queryable, root: string, relPaths: readonly string[]): Promise<Map<string, WatchFileState>> {
  const { rows } = await db.query(`select rel_path, size_bytes, mtime, state from watch_file where root = $1 and rel_path = any($2::text[])`, [root, relPaths]);
  return new Map(rows.map((r) => [r.rel_path as string, { sizeBytes: r.size_bytes, mtime: r.mtime, state: r.state }]));
}

export interface WatchFileRow {
  root: string;
  relPath: string;
  firstSeenAt: Date;
  landedAt: Date | null;
  ingestedAt: Date | null;
  sizeBytes: number;
  mtime: Date;
  frameId: string | null;
  programme: string | null;
  state: 'ingested' | 'failed';
  error: string | null;
}

/** Records (or updates) a file's outcome; the first sighting time of an earlier row is kept. */
export async function recordWatchFile(db: Queryable, f: WatchFileRow): Promise<void> {
  await db.query(
    `insert into watch_file (root, rel_path, first_seen_at, landed_at, ingested_at, size_bytes, mtime, frame_id, programme, state, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (root, rel_path) do update set landed_at = excluded.landed_at, ingested_at = excluded.ingested_at,
       size_bytes = excluded.size_bytes, mtime = excluded.mtime, frame_id = excluded.frame_id, programme = excluded.programme,
       state = excluded.state, error = excluded.error`,
    [f.root, f.relPath, f.firstSeenAt, f.landedAt, f.ingestedAt, f.sizeBytes, f.mtime, f.frameId, f.programme, f.state, f.error],
  );
}

/** A watched object frame whose exposure has no frame auto job yet. */
export interface PendingObjectFrame {
  frameId: string;
  night: string;
  run: number;
  ccd: 1 | 2;
  cfgFile: string;
  field: string;
  object: string;
  programme: string | null;
  landedAt: Date;
}

/** Object frames the watcher ingested (landed after `since`) whose exposure is not yet claimed, oldest first. */
export async function pendingObjectFrames(db: Queryable, root: string, since: Date): Promise<PendingObjectFrame[]> {
  const { rows } = await db.query(
    `select f.id, f.night::text as night, f.run, f.ccd, f.cfg_file, f.field, f.object, w.programme, w.landed_at
       from watch_file w join frame f on f.id = w.frame_id
      where w.root = $1 and w.state = 'ingested' and w.landed_at > $2 and f.ndf_class = 'MFOBJECT' and f.missing_since is null
        and not exists (select 1 from auto_job a where a.kind = 'frame' and a.subject = f.night::text || '/' || f.run)
      order by w.landed_at, f.id`,
    [root, since],
  );
  return rows.map((r) => ({
    frameId: r.id, night: r.night, run: r.run, ccd: r.ccd, cfgFile: r.cfg_file, field: r.field, object: r.object, programme: r.programme, landedAt: r.landed_at,
  }));
}

/** A field (night + configuration) with object frames the watcher ingested. */
export interface WatchedField {
  night: string;
  field: string;
  cfgFile: string;
  /** OBJECT of its frames (the field name as the observer typed it). */
  object: string;
  /** Distinct object exposures of the field that night (every present frame, watched or not). */
  exposures: number;
  /** Exposures with fewer than two arms present. */
  oneArmExposures: number;
  lastLandedAt: Date;
  /** A fibre frame of another configuration was taken later that night: the field is finished. */
  nextFieldStarted: boolean;
  programmes: string[];
}

export async function watchedFields(db: Queryable, root: string, since: Date): Promise<WatchedField[]> {
  const { rows } = await db.query(
    `with watched as (
       select f.night, f.field, min(f.cfg_file) as cfg_file, min(f.object) as object, max(w.landed_at) as last_landed,
              array_remove(array_agg(distinct w.programme), null) as programmes
         from watch_file w join frame f on f.id = w.frame_id
        where w.root = $1 and w.state = 'ingested' and w.landed_at > $2 and f.ndf_class = 'MFOBJECT'
          and f.missing_since is null and f.cfg_file <> ''
        group by f.night, f.field
     ), runs as (
       select wd.night, wd.field, o.run, count(*) as arms
         from watched wd join frame o on o.night = wd.night and o.field = wd.field
        where o.root = $1 and o.ndf_class = 'MFOBJECT' and o.missing_since is null
        group by wd.night, wd.field, o.run
     )
     select wd.night::text as night, wd.field, wd.cfg_file, wd.object, wd.last_landed, wd.programmes,
            count(r.run)::int as exposures, count(r.run) filter (where r.arms < 2)::int as one_arm,
            exists (select 1 from frame n
                     where n.root = $1 and n.night = wd.night and n.missing_since is null and n.cfg_file <> ''
                       and n.field <> wd.field and n.ndf_class = any($3::text[])
                       and n.run > (select max(run) from runs r2 where r2.night = wd.night and r2.field = wd.field)) as next_started
       from watched wd join runs r on r.night = wd.night and r.field = wd.field
      group by wd.night, wd.field, wd.cfg_file, wd.object, wd.last_landed, wd.programmes
      order by wd.night, wd.last_landed`,
    [root, since, [...fibreFrameClasses]],
  );
  return rows.map((r) => ({
    night: r.night, field: r.field, cfgFile: r.cfg_file, object: r.object, exposures: r.exposures, oneArmExposures: r.one_arm,
    lastLandedAt: r.last_landed, nextFieldStarted: r.next_started, programmes: r.programmes,
  }));
}

/** Subjects among these that already have an auto job row (claimed, created or abandoned). */
export async function claimedSubjects(db: Queryable, kind: 'frame' | 'field', subjects: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ subject: string }>('select subject from auto_job where kind = $1 and subject = any($2::text[])', [kind, subjects]);
  return new Set(rows.map((r) => r.subject));
}

export interface AutoJobClaim {
  rule: string;
  kind: 'frame' | 'field';
  subject: string;
  night: string;
  priority: number;
}

/** Claims a subject; null when another process (or an earlier pass) already has it. */
export async function claimAutoJob(db: Queryable, c: AutoJobClaim): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `insert into auto_job (rule, kind, subject, night, priority) values ($1, $2, $3, $4, $5) on conflict (kind, subject) do nothing returning id`,
    [c.rule, c.kind, c.subject, c.night, c.priority],
  );
  return rows[0]?.id ?? null;
}

/** Gives a claim back (its job could not be created now); the subject is tried again later. */
export async function dropClaim(db: Queryable, id: number): Promise<void> {
  await db.query(`delete from auto_job where id = $1 and state = 'claimed'`, [id]);
}

/** Claims left by a process that died between claiming and creating the job; returns how many were released. */
export async function releaseStaleClaims(db: Queryable, olderThanS: number): Promise<number> {
  const r = await db.query(`delete from auto_job where state = 'claimed' and claimed_at < now() - make_interval(secs => $1)`, [olderThanS]);
  return r.rowCount ?? 0;
}

/** Records a subject that will never be reduced automatically (e.g. its calibrations never came). */
export async function abandonSubject(db: Queryable, c: AutoJobClaim, reason: string): Promise<void> {
  await db.query(
    `insert into auto_job (rule, kind, subject, night, priority, state, reason) values ($1, $2, $3, $4, $5, 'abandoned', $6)
     on conflict (kind, subject) do nothing`,
    [c.rule, c.kind, c.subject, c.night, c.priority, reason],
  );
}

/** The claim now has its job; the frames it covers get their landing and ingest times copied. */
export async function markAutoJobCreated(pool: Pool, id: number, jobId: string, frameIds: readonly string[]): Promise<void> {
  await withTransaction(pool, async (c) => {
    await c.query(`update auto_job set state = 'created', job_id = $2, created_at = now() where id = $1`, [id, jobId]);
    await c.query(
      `insert into auto_job_frame (auto_job_id, frame_id, landed_at, ingested_at)
       select $1, f, w.landed_at, w.ingested_at from unnest($2::text[]) as f
         left join lateral (select landed_at, ingested_at from watch_file where frame_id = f and state = 'ingested'
                             order by landed_at desc limit 1) w on true
       on conflict do nothing`,
      [id, [...new Set(frameIds)]],
    );
  });
}
