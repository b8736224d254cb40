import { findArcLines } from '../../src/reducer/maths/arc-line-finder.js';
import { isolatedLines, isMonotonic, searchOffset, solveDispersion, type ArcLine } from '../../src/reducer/maths/dispersion.js';
import { evalPoly, fitPoly } from '../../src/reducer/maths/polyfit.js';
import { refineArcModel } from '../../src/reducer/maths/arc-model.js';
import { cuarLines } from '../../src/reducer/arc-lines.js';
import { scrunch } from '../../src/reducer/maths/scrunch.js';
import { divideByFibreFlat, normaliseFibreFlat } from '../../src/reducer/maths/fibre-flat.js';
import { medianSky, scaleFibres, skyLinePixels, skyLineThroughput, subtractSky } from '../../src/reducer/maths/sky.js';
import { combineSpectra, relativeScale, spliceArms, spliceGrid } from '../../src/reducer/maths/spectra-combine.js';
import { pixelFraction, rng } from './reducer-synth.js';

describe('arc lines and the dispersion solution', () => {
  const n = 1024;
  // True solution: quadratic, 7 px and 0.4% away from the header's linear guess.
  const lambdaOf = (x: number) => 4800 + 1.04 * 1.004 * (x - 511.5 - 7) + 2e-5 * (x - 511.5) ** 2;
  const r = rng(41);
  const list: ArcLine[] = [];
  for (let i = 0; i < 45; i++) list.push({ wavelengthAngstrom: 4230 + 1140 * r.uniform(), intensity: 100 + 5000 * r.uniform() });
  list.push({ wavelengthAngstrom: 4500, intensity: 3000 }, { wavelengthAngstrom: 4501.5, intensity: 2000 }); // a blend
  const spec = new Float32Array(n);
  const variance = new Float32Array(n);
  const xOf = (lam: number) => {
    let x = 511.5;
    for (let i = 0; i < 30; i++) x -= (lambdaOf(x) - lam) / (1.04 * 1.004 + 4e-5 * (x - 511.5));
    return x;
  };
  for (const l of list) {
    const xc = xOf(l.wavelengthAngstrom);
    for (let x = Math.max(0, Math.floor(xc - 8)); x <= Math.min(n - 1, Math.ceil(xc + 8)); x++) spec[x] += l.intensity * pixelFraction(x, xc, 1.3);
  }
  for (let x = 0; x < n; x++) {
    spec[x] += 50;
    variance[x] = spec[x] / 1.88 + 4;
    spec[x] += Math.sqrt(variance[x]) * r.normal();
  }
  const guess = { centreAngstrom: 4800, dispersion: 1.04, xc: 511.5 };

  it('finds the lines and identifies them despite a 7 px offset, with residuals under 0.1 px', () => {
    const found = findArcLines(spec, variance, 0, n, 8);
    expect(found.count).toBeGreaterThan(25);
    const usable = isolatedLines(list, 4200, 5400, 3 * 3 * 1.04);
    expect(usable.includes(4500)).toBe(false);
    const off = searchOffset(found.x, usable, guess, 30, 0.01, 1);
    expect(off.shiftPx).toBeCloseTo(7, -0.5);
    const init = (x: number) => guess.centreAngstrom + guess.dispersion * off.scale * (x - guess.xc - off.shiftPx);
    const sol = solveDispersion(found.x, usable, init, 1.04, 3)!;
    expect(sol.lines).toBeGreaterThan(20);
    expect(sol.rmsPx).toBeLessThan(0.1);
    expect(isMonotonic(sol.poly, n)).toBe(true);
    // Against the truth at every pixel, not only at the lines.
    let worst = 0;
    for (let x = 20; x < n - 20; x++) worst = Math.max(worst, Math.abs(evalPoly(sol.poly, x) - lambdaOf(x)) / 1.04);
    expect(worst).toBeLessThan(0.1);
  });
});

describe('whole-spectrum arc refinement', () => {
  it('recovers a cubic dispersion to 0.02 px from blended CuAr lines at 8.3 A/px, starting 0.5 px off', () => {
    const n = 256;
    // The small simulated blue arm: lambda(u) = 4800 + 1065 u - 3.1 u^2 + 1.2 u^3, u = (x - 127.5) / 128.
    const truth = (x: number) => {
      const u = (x - 127.5) / 128;
      return 4800 + 1065 * u - 3.1 * u * u + 1.2 * u * u * u;
    };
    const xOf = (lam: number) => {
      let x = 127.5 + ((lam - 4800) / 1065) * 128;
      for (let i = 0; i < 30; i++) x -= (truth(x) - lam) / ((truth(x + 0.01) - truth(x - 0.01)) / 0.02);
      return x;
    };
    const r = rng(61);
    const spec = new Float32Array(n);
    const variance = new Float32Array(n);
    for (const l of cuarLines) {
      const xc = xOf(l.wavelengthAngstrom);
      if (xc < -10 || xc > n + 10) continue;
      for (let x = Math.max(0, Math.floor(xc - 6)); x <= Math.min(n - 1, Math.ceil(xc + 6)); x++) spec[x] += 40 * l.intensity * pixelFraction(x, xc, 2.2 / 2.3548);
    }
    for (let x = 0; x < n; x++) {
      variance[x] = Math.max(spec[x], 0) / 1.88 + 4;
      spec[x] += Math.sqrt(variance[x]) * r.normal();
    }
    // A start as a line-by-line fit leaves it: right in the middle, 0.5 px off at both ends.
    const xs = Float64Array.from({ length: 33 }, (_, i) => i * 8);
    const start = fitPoly(xs, Float64Array.from(xs, (x) => truth(x) + 8.3 * 0.5 * ((x - 127.5) / 128) ** 2), xs.length, 3)!;
    const refined = refineArcModel(spec, variance, 0, n, Float64Array.from(cuarLines.map((l) => l.wavelengthAngstrom)).sort(), start, 3, 0.93)!;
    expect(refined).not.toBeNull();
    let worst = 0;
    for (let x = 0; x < n; x++) worst = Math.max(worst, Math.abs(evalPoly(refined.poly, x) - truth(x)) / 8.32);
    expect(worst).toBeLessThan(0.02);
    expect(refined.sigma).toBeCloseTo(0.93, 1);
    expect(refined.chi2).toBeLessThan(1.5);
  });
});

describe('scrunching', () => {
  it('conserves counts and keeps a flat spectrum flat when pixels keep their size', () => {
    const n = 200;
    const flux = new Float32Array(n).fill(10);
    const v = new Float32Array(n).fill(10);
    const lam = Float64Array.from({ length: n }, (_, i) => 5000 + 1.0 * i + 1e-4 * i * i);
    const grid = { start: 5003.3, step: 1.01, n: 200 };
    const of = new Float32Array(grid.n);
    const ov = new Float32Array(grid.n);
    scrunch(flux, v, 0, n, lam, 0, grid, of, ov, 0);
    let sIn = 0;
    let sOut = 0;
    let lastValid = 0;
    for (let k = 0; k < grid.n; k++) if (of[k] === of[k]) {
      sOut += of[k];
      lastValid = k;
    }
    const hiEdge = grid.start + (lastValid + 0.5) * grid.step;
    const loEdge = grid.start - 0.5 * grid.step;
    for (let i = 0; i < n; i++) {
      const a = i === 0 ? lam[0] - 0.5 * (lam[1] - lam[0]) : 0.5 * (lam[i - 1] + lam[i]);
      const b = i === n - 1 ? lam[n - 1] + 0.5 * (lam[n - 1] - lam[n - 2]) : 0.5 * (lam[i] + lam[i + 1]);
      sIn += (10 * Math.max(0, Math.min(b, hiEdge) - Math.max(a, loEdge))) / (b - a);
    }
    expect(sOut).toBeCloseTo(sIn, 2);
    expect(Number.isNaN(of[grid.n - 1])).toBe(true);
    const g2 = { start: 5000, step: 1, n: 50 };
    const lin = Float64Array.from({ length: n }, (_, i) => 5000 + i);
    const o2 = new Float32Array(50);
    scrunch(flux, v, 0, n, lin, 0, g2, o2, new Float32Array(50), 0);
    for (let k = 1; k < 50; k++) expect(o2[k]).toBeCloseTo(10, 5);
  });
});

describe('fibre flats, throughput and sky', () => {
  const nF = 40;
  const npix = 300;
  const thput = Float64Array.from({ length: nF }, (_, f) => 0.8 + 0.3 * ((f * 7) % 11) / 10);
  const usable = new Uint8Array(nF).fill(1);
  usable[5] = 0;
  const lamp = (x: number) => 1000 + 3 * x;
  const skyFibres = [0, 3, 9, 14, 20, 27, 33, 39];

  it('normalises the flat to relative throughputs with median 1 and divides it out', () => {
    const flux = new Float32Array(nF * npix);
    const v = new Float32Array(nF * npix);
    for (let f = 0; f < nF; f++) for (let x = 0; x < npix; x++) {
      flux[f * npix + x] = f === 5 ? 0 : lamp(x) * thput[f] * (1 + 0.01 * Math.sin(x + f));
      v[f * npix + x] = 1;
    }
    const ff = normaliseFibreFlat(flux, v, nF, npix, usable);
    const sorted = Array.from(ff.throughput).filter((t, f) => f !== 5).sort((a, b) => a - b);
    expect(sorted[(sorted.length - 1) >> 1]).toBeCloseTo(1, 1);
    expect(ff.throughput[5]).toBe(0);
    expect(ff.throughput[3] / ff.throughput[8]).toBeCloseTo(thput[3] / thput[8], 2);
    const obj = Float32Array.from(flux);
    divideByFibreFlat(obj, Float32Array.from(v), ff.flat, ff.variance);
    // After division every fibre sees the same lamp spectrum.
    expect(obj[3 * npix + 100] / obj[8 * npix + 100]).toBeCloseTo(1, 5);
    expect(Number.isNaN(obj[5 * npix + 10])).toBe(true);
  });

  it('leaves the fibre flat alone when the sky lines agree with it, whatever the noise', () => {
    const r = rng(52);
    const flux = new Float32Array(nF * npix);
    const v = new Float32Array(nF * npix);
    for (let f = 0; f < nF; f++) for (let x = 0; x < npix; x++) {
      const s = 200 + 300 * Math.exp(-((x - 150) ** 2) / 2) + (skyFibres.includes(f) ? 0 : 400 + 2 * x);
      v[f * npix + x] = s / 1.88 + 4;
      flux[f * npix + x] = s + Math.sqrt(v[f * npix + x]) * r.normal();
    }
    const first = medianSky(flux, v, npix, skyFibres);
    const t = skyLineThroughput(flux, v, nF, npix, usable, skyFibres, first.sky, skyLinePixels(first.sky, first.variance, npix, 5));
    expect(t.lines).toBe(1);
    expect(t.corrected).toBe(0);
    expect(Array.from(t.throughput).every((x) => x === 1)).toBe(true);
  });

  it('measures residual throughput from sky lines and subtracts the median sky', () => {
    const r = rng(51);
    const sky = (x: number) => 200 + (Math.abs(x - 150) < 3 ? 3000 * Math.exp(-((x - 150) ** 2) / 2) : 0) + (Math.abs(x - 240) < 3 ? 1500 * Math.exp(-((x - 240) ** 2) / 2) : 0);
    const obj = (f: number, x: number) => (skyFibres.includes(f) ? 0 : 50 + f + 0.1 * x);
    const resid = Float64Array.from({ length: nF }, (_, f) => 1 + 0.15 * Math.sin(f));
    const flux = new Float32Array(nF * npix);
    const v = new Float32Array(nF * npix);
    for (let f = 0; f < nF; f++) for (let x = 0; x < npix; x++) {
      const s = (sky(x) + obj(f, x)) * resid[f];
      v[f * npix + x] = s / 1.88 + 4;
      flux[f * npix + x] = s + Math.sqrt(v[f * npix + x]) * r.normal();
    }
    const first = medianSky(flux, v, npix, skyFibres);
    const mask = skyLinePixels(first.sky, first.variance, npix, 10);
    expect(mask[150]).toBe(1);
    expect(mask[100]).toBe(0);
    const t = skyLineThroughput(flux, v, nF, npix, usable, skyFibres, first.sky, mask);
    expect(t.lines).toBe(2);
    const medSkyResid = [...skyFibres].map((f) => resid[f]).sort((a, b) => a - b);
    const norm = (medSkyResid[3] + medSkyResid[4]) / 2;
    // These lines measure each fibre to ~1% (photon noise plus the conservative continuum term), so
    // offsets over 8% are beyond 5 sigma: found, and corrected to 2.5% (that error plus the noise of the
    // normalisation, a median over 8 sky fibres).
    let big = 0;
    for (let f = 0; f < nF; f++) {
      if (!usable[f] || Math.abs(resid[f] / norm - 1) < 0.08) continue;
      expect(Math.abs(t.throughput[f] - resid[f] / norm)).toBeLessThan(0.025);
      big++;
    }
    expect(big).toBeGreaterThan(15);
    expect(t.corrected).toBeGreaterThanOrEqual(big);
    scaleFibres(flux, v, npix, t.throughput);
    const s = medianSky(flux, v, npix, skyFibres);
    const targets = Array.from({ length: nF }, (_, f) => f).filter((f) => usable[f]);
    subtractSky(flux, v, npix, targets, s.sky, s.variance);
    // Object fibres keep their continuum to within the noise (~2%) once sky is gone, at and off the line.
    for (const f of [1, 2, 11, 30]) for (const x of [100, 150, 240]) {
      const expected = (obj(f, x) * resid[f]) / t.throughput[f];
      expect(Math.abs(flux[f * npix + x] - expected)).toBeLessThan(5 * Math.sqrt(v[f * npix + x]));
    }
  });
});

describe('combining and splicing spectra', () => {
  it('averages frames fibre by fibre, rejecting a cosmic ray, with two or more frames', () => {
    const mk = (vals: number[]) => ({ flux: Float32Array.from(vals), variance: Float32Array.from(vals.map(() => 4)) });
    const three = combineSpectra([mk([10, 20, NaN]), mk([12, 900, NaN]), mk([11, 21, 5])], 3, 5);
    expect(three.flux[0]).toBeCloseTo(11, 5);
    expect(three.flux[1]).toBeCloseTo(20.5, 5);
    expect(three.flux[2]).toBe(5);
    expect(three.rejected).toBe(1);
    expect(three.variance[0]).toBeCloseTo(4 / 3, 5);
    const two = combineSpectra([mk([10, 20]), mk([12, 900])], 2, 5);
    expect(two.flux[0]).toBeCloseTo(11, 5);
    expect(two.flux[1]).toBe(20);
  });

  it('measures the relative scale of two exposures', () => {
    const a = { flux: Float32Array.from({ length: 500 }, (_, i) => 100 + i), variance: new Float32Array(500).fill(1) };
    const b = { flux: a.flux.map((v) => 0.9 * v), variance: a.variance };
    expect(relativeScale(b, a)).toBeCloseTo(0.9, 5);
  });

  it('splices blue and red onto one grid, averaging the overlap', () => {
    const blue = { flux: new Float32Array(100).fill(2), variance: new Float32Array(100).fill(1), grid: { start: 4000, step: 1, n: 100 } };
    const red = { flux: new Float32Array(60).fill(4), variance: new Float32Array(60).fill(1), grid: { start: 4080, step: 2, n: 60 } };
    const g = spliceGrid(blue.grid, red.grid);
    expect(g).toEqual({ start: 4000, step: 1, n: 199 });
    const s = spliceArms(blue, red, 1, g);
    expect(s.flux[10]).toBe(2);
    // Red counts per 2 A pixel become counts per 1 A pixel (2) after flux-conserving rebinning.
    expect(s.flux[150]).toBeCloseTo(2, 5);
    expect(s.flux[90]).toBeCloseTo(2, 5);
    expect(s.variance[90]).toBeLessThan(1);
  });
});
