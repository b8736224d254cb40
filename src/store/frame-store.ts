// frame and frame_fibre rows: the raw-archive index (migrations/000003_archive.sql).
import type { ArchivedFrame, Fibre, FrameRecord } from '../domain/frame.js';
import type { Pool, Queryable } from './db.js';
import { withTransaction } from './db.js';


const columns = `id, root, rel_path, file_name, night::text as night, ccd, arm, run, ndf_class, object, grat_id,
  lambda_c_angstrom, dispersion_angstrom_per_px, speed, cfg_file, field, plate, exposed_s, ut_mjd, ut_start,
  mean_ra_deg, mean_dec_deg, airmass, seeing_arcsec, flaps, lamp_name, naxis1, naxis2, size_bytes, sha256, mtime, missing_since`;

type Row = Record<string, unknown>;

function toFrame(r: Row): ArchivedFrame {
  return {
    id: r.id as string,
    root: r.root as string,
    relPath: r.rel_path as string,
    fileName: r.file_name as string,
    night: r.night as string,
    ccd: r.ccd as 1 | 2,
    arm: r.arm as 'blue' | 'red',
    run: r.run as number,
    ndfClass: r.ndf_class as string,
    object: r.object as string,
    gratId: r.grat_id as string,
    lambdaCAngstrom: r.lambda_c_angstrom as number,
    dispersionAngstromPerPx: r.dispersion_angstrom_per_px as number,
    speed: r.speed as string,
    cfgFile: r.cfg_file as string,
    field: r.field as string,
    plate: r.plate as 0 | 1 | null,
    exposedS: r.exposed_s as number,
    utMjd: r.ut_mjd as number,
    utStart: r.ut_start as string,
    meanRaDeg: r.mean_ra_deg as number | null,
    meanDecDeg: r.mean_dec_deg as number | null,
    airmass: r.airmass as number | null,
    seeingArcsec: r.seeing_arcsec as number | null,
    flaps: r.flaps as string,
    lampName: r.lamp_name as string,
    naxis1: r.naxis1 as number,
    naxis2: r.naxis2 as number,
    sizeBytes: r.size_bytes as number,
    sha256: r.sha256 as string,
    mtime: r.mtime as Date,
    missingSince: r.missing_since as Date | null,
  };
}

/** What the ingest compares with the file system to decide whether a file must be re-read. */
export interface IndexedFile {
  id: string;
  relPath: string;
  sizeBytes: number;
  mtime: Date;
  sha256: string;
}

/** Present (not missing) rows under root whose path starts with prefix ('' = the whole root). */
export async function listIndexedFiles(db: Queryable, root: string, prefix: string): Promise<IndexedFile[]> {
  const { rows } = await db.query(
    `select id, rel_path, size_bytes, mtime, sha256 from frame
      where root = $1 and missing_since is null and left(rel_path, length($2)) = $2`,
    [root, prefix],
  );
  return rows.map((r) => ({ id: r.id, relPath: r.rel_path, sizeBytes: r.size_bytes, mtime: r.mtime, sha256: r.sha256 }));
}

export async function findFrame(db: Queryable, id: string): Promise<ArchivedFrame | null> {
  const { rows } = await db.query(`select ${columns} from frame where id = $1`, [id]);
  return rows.length ? toFrame(rows[0]) : null;
}

/** The present frame stored at root/relPath, if any. */
export async function findFrameByPath(db: Queryable, root: string, relPath: string): Promise<ArchivedFrame | null> {
  const { rows } = await db.query(`select ${columns} from frame where root = $1 and rel_path = $2 and missing_since is null`, [root, relPath]);
  return rows.length ? toFrame(rows[0]) : null;
}

/**
 * Stores a frame and replaces its fibre table, in one transaction. A different frame previously
 * present at the same path (the file now holds another exposure) is marked missing first. Clears
 * missing_since of a frame that came back.
 */
export async function upsertFrame(pool: Pool, root: string, f: FrameRecord, fibres: readonly Fibre[]): Promise<void> {
  await withTransaction(pool, async (c) => {
    await c.query(`update frame set missing_since = now() where root = $1 and rel_path = $2 and id <> $3 and missing_since is null`, [root, f.relPath, f.id]);
    await c.query(
      `insert into frame (id, root, rel_path, file_name, night, ccd, arm, run, ndf_class, object, grat_id, lambda_c_angstrom,
         dispersion_angstrom_per_px, speed, cfg_file, plate, exposed_s, ut_mjd, ut_start, mean_ra_deg, mean_dec_deg, flaps,
         lamp_name, naxis1, naxis2, size_bytes, sha256, mtime, airmass, seeing_arcsec)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30)
       on conflict (id) do update set root = excluded.root, rel_path = excluded.rel_path, file_name = excluded.file_name,
         night = excluded.night, ccd = excluded.ccd, arm = excluded.arm, run = excluded.run, ndf_class = excluded.ndf_class,
         object = excluded.object, grat_id = excluded.grat_id, lambda_c_angstrom = excluded.lambda_c_angstrom,
         dispersion_angstrom_per_px = excluded.dispersion_angstrom_per_px, speed = excluded.speed, cfg_file = excluded.cfg_file,
         plate = excluded.plate, exposed_s = excluded.exposed_s, ut_mjd = excluded.ut_mjd, ut_start = excluded.ut_start,
         mean_ra_deg = excluded.mean_ra_deg, mean_dec_deg = excluded.mean_dec_deg, flaps = excluded.flaps,
         lamp_name = excluded.lamp_name, naxis1 = excluded.naxis1, naxis2 = excluded.naxis2, size_bytes = excluded.size_bytes,
         sha256 = excluded.sha256, mtime = excluded.mtime, airmass = excluded.airmass, seeing_arcsec = excluded.seeing_arcsec,
         ingested_at = now(), missing_since = null`,
      [f.id, root, f.relPath, f.fileName, f.night, f.ccd, f.arm, f.run, f.ndfClass, f.object, f.gratId, f.lambdaCAngstrom,
        f.dispersionAngstromPerPx, f.speed, f.cfgFile, f.plate, f.exposedS, f.utMjd, f.utStart, f.meanRaDeg, f.meanDecDeg, f.flaps,
        f.lampName, f.naxis1, f.naxis2, f.sizeBytes, f.sha256, f.mtime, f.airmass ?? null, f.seeingArcsec ?? null],
    );
    await c.query('delete from frame_fibre where frame_id = $1', [f.id]);
    if (fibres.length) {
      await c.query(
        `insert into frame_fibre (frame_id, fibre, name, type, ra_rad, dec_rad, pivot, magnitude)
         select $1, * from unnest($2::smallint[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::smallint[], $8::float8[])`,
        [f.id, fibres.map((x) => x.fibre), fibres.map((x) => x.name), fibres.map((x) => x.type), fibres.map((x) => x.raRad),
          fibres.map((x) => x.decRad), fibres.map((x) => x.pivot), fibres.map((x) => x.magnitude)],
      );
    }
  });
}

/** Records that the file of an unchanged frame was seen again with a new mtime only (same bytes). */
export async function touchFrame(db: Queryable, id: string, mtime: Date): Promise<void> {
  await db.query('update frame set mtime = $2 where id = $1', [id, mtime]);
}

/**
 * Marks present frames missing whose file was not seen: those under root + prefix not in seen, and,
 * when prefix is '' (a whole-archive ingest), every present frame of another root. Returns the count.
 */
export async function markMissing(db: Queryable, root: string, prefix: string, seen: readonly string[]): Promise<number> {
  const { rowCount } = await db.query(
    `update frame set missing_since = now()
      where missing_since is null
        and ((root = $1 and left(rel_path, length($2)) = $2 and not (rel_path = any($3::text[])))
             or ($2 = '' and root <> $1))`,
    [root, prefix, seen],
  );
  return rowCount ?? 0;
}

export async function listFibres(db: Queryable, frameId: string): Promise<Fibre[]> {
  const { rows } = await db.query(
    'select fibre, name, type, ra_rad, dec_rad, pivot, magnitude from frame_fibre where frame_id = $1 order by fibre',
    [frameId],
  );
  return rows.map((r) => ({ fibre: r.fibre, name: r.name, type: r.type, raRad: r.ra_rad, decRad: r.dec_rad, pivot: r.pivot, magnitude: r.magnitude }));
}

/** Listing filters; each given array matches any of its values, absent or empty = no restriction. */
export interface FrameFilter {
  night?: readonly string[];
  ccd?: readonly (1 | 2)[];
  ndfClass?: readonly string[];
  field?: readonly string[];
  object?: readonly string[];
}

/** Present frames matching the filter, ordered by night, run, ccd, with the total before paging. */
export async function listFrames(db: Queryable, f: FrameFilter, page: { limit: number; offset: number }): Promise<{ total: number; frames: ArchivedFrame[] }> {
  const arr = (v: readonly unknown[] | undefined) => (v && v.length ? v : null);
  const { rows } = await db.query(
    `select ${columns}, count(*) over () as total from frame
      where missing_since is null
        and ($1::date[] is null or night = any($1::date[]))
        and ($2::smallint[] is null or ccd = any($2::smallint[]))
        and ($3::text[] is null or ndf_class = any($3::text[]))
        and ($4::text[] is null or field = any($4::text[]))
        and ($5::text[] is null or object = any($5::text[]))
      order by night, run, ccd
      limit $6 offset $7`,
    [arr(f.night), arr(f.ccd), arr(f.ndfClass), arr(f.field), arr(f.object), page.limit, page.offset],
  );
  if (rows.length === 0 && page.offset > 0) {
    // Past the end: the window count is unavailable, so count separately to still report the total.
    const again = await listFrames(db, f, { limit: 1, offset: 0 });
    return { total: again.total, frames: [] };
  }
  return { total: rows.length ? Number(rows[0].total) : 0, frames: rows.map(toFrame) };
}

// Arbitrary constant shared by every drsoda process: one archive ingest at a time per database.
const INGEST_LOCK_KEY = 0x64726172;

/** Takes the session-level ingest lock on this client if free; true when taken. */
export async function tryLockIngest(c: Queryable): Promise<boolean> {
  const { rows } = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [INGEST_LOCK_KEY]);
  return rows[0].ok;
}

export async function unlockIngest(c: Queryable): Promise<void> {
  await c.query('select pg_advisory_unlock($1)', [INGEST_LOCK_KEY]);
}

/** The fibre positions and types of many frames (for SODA's region test at planning); frames without rows are absent. */
export async function fibreTargets(db: Queryable, frameIds: readonly string[]): Promise<Map<string, Array<{ raRad: number; decRad: number; type: string }>>> {
  const out = new Map<string, Array<{ raRad: number; decRad: number; type: string }>>();
  if (!frameIds.length) return out;
  const { rows } = await db.query<{ frame_id: string; ra_rad: number; dec_rad: number; type: string }>(
    'select frame_id, ra_rad, dec_rad, type from frame_fibre where frame_id = any($1::text[]) order by frame_id, fibre',
    [frameIds],
  );
  for (const r of rows) {
    let list = out.get(r.frame_id);
    if (!list) out.set(r.frame_id, (list = []));
    list.push({ raRad: r.ra_rad, decRad: r.dec_rad, type: r.type });
  }
  return out;
}
