// Sky regions of SODA spatial filters (POS, CIRCLE, POLYGON) and the test whether a fibre's target lies inside;
// pure. Circles and polygon edges are great circles (DALI 1.1 section 3.3.6-3.3.7); RANGE is a box in coordinates.

export type Region =
  | { shape: 'circle'; raDeg: number; decDeg: number; radiusDeg: number }
  | { shape: 'range'; ra: [number, number]; dec: [number, number] }
  | { shape: 'polygon'; vertices: Array<[number, number]> };

const rad = Math.PI / 180;

export type Vec3 = [number, number, number];

export function unitVector(raDeg: number, decDeg: number): Vec3 {
  const a = raDeg * rad;
  const d = decDeg * rad;
  return [Math.cos(d) * Math.cos(a), Math.cos(d) * Math.sin(a), Math.sin(d)];
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Angular distance in degrees (haversine form: accurate for the arcsecond separations of fibres too). */
export function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s1 = Math.sin(((dec2 - dec1) * rad) / 2);
  const s2 = Math.sin(((ra2 - ra1) * rad) / 2);
  const h = s1 * s1 + Math.cos(dec1 * rad) * Math.cos(dec2 * rad) * s2 * s2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(h)))) / rad;
}

/** Right ascension reduced to [0, 360). */
export const normRa = (ra: number) => ((ra % 360) + 360) % 360;

/**
 * A polygon prepared for point tests: the gnomonic projection about the vertices' mean direction maps its
 * great-circle edges to straight lines, so the planar even-odd test is exact on the sphere. Needs every vertex
 * within 90 degrees of that centre (polygons smaller than a hemisphere); the parser enforces it.
 */
export interface PreparedPolygon {
  centre: Vec3;
  /** Tangent-plane basis at the centre. */
  e: Vec3;
  n: Vec3;
  xs: Float64Array;
  ys: Float64Array;
}

export function preparePolygon(vertices: ReadonlyArray<[number, number]>): PreparedPolygon | null {
  const vs = vertices.map(([ra, dec]) => unitVector(ra, dec));
  const sum: Vec3 = [0, 0, 0];
  for (const v of vs) for (let i = 0; i < 3; i++) sum[i] += v[i];
  const len = Math.hypot(...sum);
  if (len < 1e-9) return null;
  const centre: Vec3 = [sum[0] / len, sum[1] / len, sum[2] / len];
  // East and north unit vectors at the centre (any orthonormal basis works; this one is stable away from the poles).
  const pole: Vec3 = Math.abs(centre[2]) > 0.99 ? [1, 0, 0] : [0, 0, 1];
  const e = normalise(cross(pole, centre));
  const n = cross(centre, e);
  const xs = new Float64Array(vs.length);
  const ys = new Float64Array(vs.length);
  for (let i = 0; i < vs.length; i++) {
    const c = dot(vs[i], centre);
    if (c <= 1e-6) return null;
    xs[i] = dot(vs[i], e) / c;
    ys[i] = dot(vs[i], n) / c;
  }
  return { centre, e, n, xs, ys };
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalise(v: Vec3): Vec3 {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
}

export function insidePolygon(p: PreparedPolygon, raDeg: number, decDeg: number): boolean {
  const v = unitVector(raDeg, decDeg);
  const c = dot(v, p.centre);
  if (c <= 0) return false;
  const x = dot(v, p.e) / c;
  const y = dot(v, p.n) / c;
  let inside = false;
  const { xs, ys } = p;
  for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
    if (ys[i] > y !== ys[j] > y && x < ((xs[j] - xs[i]) * (y - ys[i])) / (ys[j] - ys[i]) + xs[i]) inside = !inside;
  }
  return inside;
}

function inRaRange(ra: number, lo: number, hi: number): boolean {
  if (!Number.isFinite(lo) && !Number.isFinite(hi)) return true;
  if (hi - lo >= 360) return true;
  const r = normRa(ra);
  const a = Number.isFinite(lo) ? normRa(lo) : 0;
  const b = Number.isFinite(hi) ? (hi === 360 ? 360 : normRa(hi)) : 360;
  // A range written across 0 (e.g. 350 10 after normalising 350 370) wraps.
  return a <= b ? r >= a && r <= b : r >= a || r <= b;
}

/** A predicate for one region: (ra, dec) in degrees -> inside. */
export function regionTest(region: Region): (raDeg: number, decDeg: number) => boolean {
  switch (region.shape) {
    case 'circle':
      return (ra, dec) => separationDeg(region.raDeg, region.decDeg, ra, dec) <= region.radiusDeg;
    case 'range':
      return (ra, dec) => dec >= region.dec[0] && dec <= region.dec[1] && inRaRange(ra, region.ra[0], region.ra[1]);
    case 'polygon': {
      const p = preparePolygon(region.vertices);
      return p ? (ra, dec) => insidePolygon(p, ra, dec) : () => false;
    }
  }
}

/** The region as the parameter value a client sends (for messages and result descriptions). */
export function describeRegion(r: Region): string {
  switch (r.shape) {
    case 'circle':
      return `CIRCLE ${r.raDeg} ${r.decDeg} ${r.radiusDeg}`;
    case 'range':
      return `RANGE ${r.ra[0]} ${r.ra[1]} ${r.dec[0]} ${r.dec[1]}`;
    case 'polygon':
      return `POLYGON ${r.vertices.flat().join(' ')}`;
  }
}
