// Target search over frame_fibre (migrations/000013_fibre_search.sql): object names and sky cones, answered
// from the fibres of present object frames, one row per fibre of a field on a night with the frames that hold it.
import type { Queryable } from './db.js';

export interface Cone {
  raRad: number;
  decRad: number;
  radiusRad: number;
}

export interface FibreSearch {
  /** Object name text, matched case-insensitively. */
  name?: { text: string; match: 'substring' | 'prefix' | 'exact' };
  cone?: Cone;
  /** Rows to return; one more is fetched to tell whether the answer was cut. */
  limit: number;
}

export interface FibreHit {
  night: string;
  field: string;
  cfgFile: string;
  fibre: number;
  name: string;
  type: string;
  raRad: number;
  decRad: number;
  pivot: number;
  magnitude: number | null;
  /** Great-circle distance from the cone centre, radians; null for a name-only search. */
  distanceRad: number | null;
  /** The object frames (both arms, every exposure) that hold this fibre, ordered by run then CCD. */
  frames: Array<{ id: string; run: number; arm: 'blue' | 'red'; exposedS: number }>;
}

/** Escapes LIKE wildcards so user text matches literally. */
const likeLiteral = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The RA window (radians, unwrapped, lo may be < 0 and hi > 2pi) that holds every point within r of
 * (ra, dec), or null when the cone reaches a pole and every RA qualifies. The half-width asin(sin r / cos dec)
 * is the exact tangent bound (Gray et al. 2006, "zones"), widened by a hair for rounding.
 */
export function raWindow(c: Cone): { lo: number; hi: number } | null {
  if (Math.abs(c.decRad) + c.radiusRad >= Math.PI / 2 - 1e-12) return null;
  const half = Math.asin(Math.min(1, Math.sin(c.radiusRad) / Math.cos(c.decRad))) + 1e-12;
  if (half >= Math.PI) return null;
  return { lo: c.raRad - half, hi: c.raRad + half };
}

/** The statement a search runs; exported so tests can EXPLAIN exactly what the service executes. */
export function fibreSearchSql(q: FibreSearch): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (q.name) {
    const t = likeLiteral(q.name.text);
    if (q.name.match === 'exact') where.push(`lower(ff.name) = ${p(q.name.text.toLowerCase())}`);
    else where.push(`lower(ff.name) like ${p(q.name.match === 'prefix' ? `${t}%` : `%${t}%`)}`);
  }
  let distance = 'null::float8';
  if (q.cone) {
    const c = q.cone;
    const ra = p(c.raRad);
    const dec = p(c.decRad);
    const r = p(c.radiusRad);
    where.push(`ff.dec_rad between ${dec}::float8 - ${r}::float8 and ${dec}::float8 + ${r}::float8`);
    const w = raWindow(c);
    const twoPi = 2 * Math.PI;
    if (w && w.lo < 0) where.push(`(ff.ra_rad >= ${p(w.lo + twoPi)} or ff.ra_rad <= ${p(w.hi)})`);
    else if (w && w.hi >= twoPi) where.push(`(ff.ra_rad >= ${p(w.lo)} or ff.ra_rad <= ${p(w.hi - twoPi)})`);
    else if (w) where.push(`ff.ra_rad between ${p(w.lo)} and ${p(w.hi)}`);
    // Haversine: well conditioned for the small radii a target search uses.
    distance = `2 * asin(least(1, sqrt(sin((ff.dec_rad - ${dec}::float8) / 2) ^ 2
      + cos(ff.dec_rad) * cos(${dec}::float8) * sin((ff.ra_rad - ${ra}::float8) / 2) ^ 2)))`;
    where.push(`${distance} <= ${r}::float8`);
    // Unallocated and unused fibres carry the field centre as their position: they are not targets.
    where.push(`ff.type not in ('U', 'N')`);
  }
  const limit = p(q.limit + 1);
  const text = `
    select f.night::text as night, f.field, f.cfg_file, ff.fibre, ff.name, ff.type, ff.ra_rad, ff.dec_rad, ff.pivot, ff.magnitude,
           min(${distance}) as distance,
           json_agg(json_build_object('id', f.id, 'run', f.run, 'arm', f.arm, 'exposedS', f.exposed_s) order by f.run, f.ccd) as frames
      from frame_fibre ff
      join frame f on f.id = ff.frame_id
     where f.missing_since is null and f.ndf_class = 'MFOBJECT' and ${where.join(' and ')}
     group by f.night, f.field, f.cfg_file, ff.fibre, ff.name, ff.type, ff.ra_rad, ff.dec_rad, ff.pivot, ff.magnitude
     order by ${q.cone ? 'distance, ' : ''}lower(ff.name), f.night desc, f.field, ff.fibre
     limit ${limit}`;
  return { text, values };
}

/** Runs the search; `truncated` is true when more rows matched than the limit. */
export async function searchFibres(db: Queryable, q: FibreSearch): Promise<{ hits: FibreHit[]; truncated: boolean }> {
  if (!q.name && !q.cone) throw new TypeError('a fibre search needs a name or a cone');
  const { text, values } = fibreSearchSql(q);
  const { rows } = await db.query(text, values);
  const hits = rows.slice(0, q.limit).map(
    (r): FibreHit => ({
      night: r.night,
      field: r.field,
      cfgFile: r.cfg_file,
      fibre: r.fibre,
      name: r.name,
      type: r.type,
      raRad: r.ra_rad,
      decRad: r.dec_rad,
      pivot: r.pivot,
      magnitude: r.magnitude,
      distanceRad: r.distance,
      frames: r.frames,
    }),
  );
  return { hits, truncated: rows.length > q.limit };
}
