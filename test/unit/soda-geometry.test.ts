// Great-circle geometry of the SODA regions and the band/pixel arithmetic of cuts, against values worked out
// by hand (and, for polygons, against the exact great-circle side test on random points).
import fc from 'fast-check';
import { bandPixels, fibresInside, wavelengthAxis } from '../../src/cutout/cut.js';
import { regionTest, separationDeg, unitVector, type Region } from '../../src/cutout/geometry.js';

const circle = (raDeg: number, decDeg: number, radiusDeg: number): Region => ({ shape: 'circle', raDeg, decDeg, radiusDeg });

describe('regions', () => {
  it('measures separations on the sphere, across RA = 0 and near the pole', () => {
    expect(separationDeg(359.5, 0, 0.5, 0)).toBeCloseTo(1, 12);
    expect(separationDeg(0, 89, 180, 89)).toBeCloseTo(2, 12);
    expect(separationDeg(10, 20, 10, 20 + 1 / 3600)).toBeCloseTo(1 / 3600, 12);
  });

  it('keeps points of a circle by great-circle distance, not by coordinate differences', () => {
    const inside = regionTest(circle(0, 80, 1));
    // 5 degrees of RA at dec 80 is about 0.87 degrees on the sky: inside, though |dRA| > r.
    expect(inside(5, 80)).toBe(true);
    expect(inside(355, 80)).toBe(true);
    expect(inside(7, 80)).toBe(false);
    expect(inside(0, 81.0001)).toBe(false);
  });

  it('treats RANGE as a coordinate box, wrapping through RA 0', () => {
    const wrap = regionTest({ shape: 'range', ra: [-10, 10], dec: [-5, 5] });
    expect([wrap(355, 0), wrap(5, 0), wrap(20, 0), wrap(0, 6)]).toEqual([true, true, false, false]);
    const all = regionTest({ shape: 'range', ra: [-Infinity, Infinity], dec: [60, 90] });
    expect([all(123, 61), all(123, 59)]).toEqual([true, false]);
  });

  it('tests polygons with great-circle edges exactly (convex polygons against the side test)', () => {
    // A convex quadrilateral straddling RA 0; a point is inside iff it is left of every edge (counter-clockwise).
    const vertices: Array<[number, number]> = [[350, -10], [10, -10], [12, 12], [348, 10]];
    const inside = regionTest({ shape: 'polygon', vertices });
    const vs = vertices.map(([a, d]) => unitVector(a, d));
    const cross = (a: number[], b: number[]) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    const exact = (ra: number, dec: number) => {
      const v = unitVector(ra, dec);
      return vs.every((a, i) => {
        const n = cross(a, vs[(i + 1) % vs.length]);
        return n[0] * v[0] + n[1] * v[1] + n[2] * v[2] > 0;
      });
    };
    fc.assert(
      fc.property(fc.double({ min: -25, max: 25, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), (dra, dec) => {
        const ra = (dra + 360) % 360;
        expect(inside(ra, dec)).toBe(exact(ra, dec));
      }),
      { numRuns: 2000 },
    );
    expect(inside(0, 0)).toBe(true);
    expect(inside(180, 0)).toBe(false);
  });

  it('follows great circles, not lines of constant Dec', () => {
    // The edge from (0, 60) to (90, 60) is a great circle that reaches Dec 67.8 at RA 45.
    const inside = regionTest({ shape: 'polygon', vertices: [[0, 60], [90, 60], [45, 85]] });
    expect([inside(45, 62), inside(45, 66), inside(45, 69)]).toEqual([false, false, true]);
  });

  it('handles a concave polygon', () => {
    const inside = regionTest({ shape: 'polygon', vertices: [[0, 0], [4, 0], [4, 4], [2, 1], [0, 4]] });
    expect([inside(1, 0.5), inside(2, 3), inside(3.5, 3)]).toEqual([true, false, true]);
  });

  it('selects fibre rows whose target lies inside, skipping rows without a position', () => {
    const r = Math.PI / 180;
    const rows = [{ raRad: 10 * r, decRad: 0 }, { raRad: null, decRad: null }, { raRad: 10.05 * r, decRad: 0.05 * r }, { raRad: 12 * r, decRad: 0 }];
    expect(fibresInside(rows, circle(10, 0, 0.1))).toEqual([0, 2]);
    // Parked (U) and unused (N) fibres carry the field centre as position: no target, never selected.
    expect(fibresInside([{ raRad: 10 * r, decRad: 0, type: 'U' }, { raRad: 10 * r, decRad: 0, type: 'N' }, { raRad: 10 * r, decRad: 0, type: 'S' }], circle(10, 0, 0.1))).toEqual([2]);
  });
});

describe('band pixels', () => {
  // 100 pixels from 5000 to 5099 Angstrom, as CRVAL1/CDELT1/CRPIX1 describe it (reference pixel 50).
  const axis = wavelengthAxis({ number: (k: string) => ({ CRVAL1: 5049, CDELT1: 1, CRPIX1: 50 })[k] }, 100)!;

  it('keeps pixels whose centres are inside, edges included', () => {
    expect(axis).toEqual({ startAngstrom: 5000, stepAngstrom: 1, n: 100 });
    expect(bandPixels(axis, [5010e-10, 5020e-10])).toEqual([10, 20]);
    expect(bandPixels(axis, [5010.2e-10, 5019.8e-10])).toEqual([11, 19]);
  });

  it('clips to the data and treats open ends as unbounded', () => {
    expect(bandPixels(axis, [4000e-10, 5005e-10])).toEqual([0, 5]);
    expect(bandPixels(axis, [5090e-10, Infinity])).toEqual([90, 99]);
    expect(bandPixels(axis, [-Infinity, Infinity])).toEqual([0, 99]);
  });

  it('gives the nearest pixel for a single wavelength on the detector, nothing off it', () => {
    expect(bandPixels(axis, [5030.3e-10, 5030.3e-10])).toEqual([30, 30]);
    expect(bandPixels(axis, [5099.4e-10, 5099.4e-10])).toEqual([99, 99]);
    expect(bandPixels(axis, [5100e-10, 5200e-10])).toBeNull();
    expect(bandPixels(axis, [4000e-10, 4999e-10])).toBeNull();
    // Angstrom sent as metres: far off any detector.
    expect(bandPixels(axis, [5000, 6000])).toBeNull();
  });

  it('works on a decreasing axis', () => {
    const down = { startAngstrom: 5099, stepAngstrom: -1, n: 100 };
    expect(bandPixels(down, [5010e-10, 5020e-10])).toEqual([79, 89]);
  });
});
