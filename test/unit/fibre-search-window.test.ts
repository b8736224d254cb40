// Property test of the cone search's RA window (src/store/fibre-search-store.ts): every point of a cone lies inside
// the declination band and the RA window the index scan reads, near RA 0/360 and the poles included.
import { raWindow, type Cone } from '../../src/store/fibre-search-store.js';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The point at distance d (rad) from (ra, dec) towards position angle pa: spherical destination formula. */
function destination(c: Cone, d: number, pa: number): { ra: number; dec: number } {
  const dec = Math.asin(Math.sin(c.decRad) * Math.cos(d) + Math.cos(c.decRad) * Math.sin(d) * Math.cos(pa));
  const ra = c.raRad + Math.atan2(Math.sin(pa) * Math.sin(d) * Math.cos(c.decRad), Math.cos(d) - Math.sin(c.decRad) * Math.sin(dec));
  return { ra: ((ra % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI), dec };
}

/** Whether the store's WHERE clause (dec band, then the window split across 0/2pi) admits the point. */
function admitted(c: Cone, p: { ra: number; dec: number }): boolean {
  if (p.dec < c.decRad - c.radiusRad || p.dec > c.decRad + c.radiusRad) return false;
  const w = raWindow(c);
  if (!w) return true;
  const twoPi = 2 * Math.PI;
  if (w.lo < 0) return p.ra >= w.lo + twoPi || p.ra <= w.hi;
  if (w.hi >= twoPi) return p.ra >= w.lo || p.ra <= w.hi - twoPi;
  return p.ra >= w.lo && p.ra <= w.hi;
}

describe('the RA window of a cone', () => {
  it('admits every point of 20,000 random cones, dense near RA 0/360 and the poles', () => {
    const next = rng(2026);
    const rad = Math.PI / 180;
    const missed: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const kind = i % 3;
      const ra = kind === 0 ? (next() < 0.5 ? next() : 2 * Math.PI - next() * 0.05) : next() * 2 * Math.PI;
      const dec = kind === 1 ? (next() < 0.5 ? 1 : -1) * (85 + next() * 5) * rad : (next() * 180 - 90) * rad;
      const c: Cone = { raRad: ra % (2 * Math.PI), decRad: dec, radiusRad: (0.0001 + next() * 2) * rad };
      const p = destination(c, c.radiusRad * next() * (1 - 1e-9), next() * 2 * Math.PI);
      if (!admitted(c, p)) missed.push(`cone ${JSON.stringify(c)} misses ${JSON.stringify(p)}`);
    }
    expect(missed).toEqual([]);
  });

  it('is the whole circle exactly when the cone reaches a pole', () => {
    expect(raWindow({ raRad: 1, decRad: (89 * Math.PI) / 180, radiusRad: (1.5 * Math.PI) / 180 })).toBeNull();
    expect(raWindow({ raRad: 1, decRad: (-89 * Math.PI) / 180, radiusRad: (1.5 * Math.PI) / 180 })).toBeNull();
    const w = raWindow({ raRad: 1, decRad: (60 * Math.PI) / 180, radiusRad: (1 * Math.PI) / 180 })!;
    // At Dec 60 a 1 degree cone spans about 2 degrees of RA either side (1 / cos 60).
    expect((w.hi - 1) * (180 / Math.PI)).toBeCloseTo(2.0003, 3);
    expect(w.hi - 1).toBeCloseTo(1 - w.lo, 12);
  });
});
