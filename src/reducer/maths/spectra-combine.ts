// Combining reduced spectra of one field and arm, fibre by fibre, with cosmic-ray rejection
// (combine_spectra), and splicing the blue and red arms onto one wavelength grid (splice).
import { scrunch, type LinearGrid } from './scrunch.js';
import { medianInPlace, sortSmall } from './stats.js';

export interface SpectraFrame {
  /** nRows x npix, rows already matched across frames, all on the same grid. */
  flux: Float32Array;
  variance: Float32Array;
}

/**
 * Relative flux scale of `frame` against `ref`: the median ratio over pixels where the reference is
 * detected at 10 sigma; 1 when fewer than 100 such pixels (nothing bright enough to tell).
 */
export function relativeScale(frame: SpectraFrame, ref: SpectraFrame): number {
  const ratios: number[] = [];
  for (let i = 0; i < ref.flux.length; i++) {
    const r = ref.flux[i];
    const v = frame.flux[i];
    if (r > 10 * Math.sqrt(ref.variance[i]) && v === v) ratios.push(v / r);
  }
  if (ratios.length < 100) return 1;
  return medianInPlace(Float64Array.from(ratios), ratios.length);
}

/**
 * Per row and pixel: drops values more than `clip` sigma above the median of the frames (above the
 * other value, for two frames) - cosmic rays that extraction missed - then averages the rest with
 * equal weights (weights from the data's own variance would bias faint spectra low), so the result
 * is in the counts of one exposure; variance = sum var / m^2.
 */
export function combineSpectra(frames: readonly SpectraFrame[], len: number, clip: number): { flux: Float32Array; variance: Float32Array; rejected: number } {
  const k = frames.length;
  const flux = new Float32Array(len);
  const variance = new Float32Array(len);
  const vals = new Float64Array(k);
  const vars = new Float64Array(k);
  const sorted = new Float64Array(k);
  let rejected = 0;
  for (let i = 0; i < len; i++) {
    let m = 0;
    for (let f = 0; f < k; f++) {
      const v = frames[f].flux[i];
      const w = frames[f].variance[i];
      if (v === v && w === w) {
        vals[m] = v;
        vars[m] = w;
        m++;
      }
    }
    if (m === 0) {
      flux[i] = NaN;
      variance[i] = NaN;
      continue;
    }
    let centre: number;
    if (m >= 3) {
      for (let j = 0; j < m; j++) sorted[j] = vals[j];
      sortSmall(sorted, m);
      centre = m & 1 ? sorted[m >> 1] : 0.5 * (sorted[(m >> 1) - 1] + sorted[m >> 1]);
    } else centre = m === 2 ? Math.min(vals[0], vals[1]) : vals[0];
    let s = 0;
    let sv = 0;
    let n = 0;
    for (let j = 0; j < m; j++) {
      // Two frames: the lower is the reference, and the higher is a cosmic ray if it exceeds it by more
      // than clip sigma of the difference.
      const sigma = m === 2 ? Math.sqrt(vars[0] + vars[1]) : Math.sqrt(vars[j]);
      if (m >= 2 && vals[j] - centre > clip * sigma) {
        rejected++;
        continue;
      }
      s += vals[j];
      sv += vars[j];
      n++;
    }
    flux[i] = s / n;
    variance[i] = sv / (n * n);
  }
  return { flux, variance, rejected };
}

export interface ArmSpectra {
  flux: Float32Array;
  variance: Float32Array;
  grid: LinearGrid;
}

/** The common grid of a splice: the finer step, from the bluest start to the reddest end. */
export function spliceGrid(a: LinearGrid, b: LinearGrid): LinearGrid {
  const step = Math.min(a.step, b.step);
  const start = Math.min(a.start, b.start);
  const end = Math.max(a.start + (a.n - 1) * a.step, b.start + (b.n - 1) * b.step);
  return { start, step, n: Math.floor((end - start) / step + 1e-9) + 1 };
}

/**
 * Rebins both arms (flux-conserving) onto `grid` and merges them: one arm where only it covers a
 * pixel, the inverse-variance weighted mean where both do (around the dichroic).
 */
export function spliceArms(blue: ArmSpectra, red: ArmSpectra, nRows: number, grid: LinearGrid): { flux: Float32Array; variance: Float32Array } {
  const flux = new Float32Array(nRows * grid.n);
  const variance = new Float32Array(nRows * grid.n);
  const bf = new Float32Array(grid.n);
  const bv = new Float32Array(grid.n);
  const rf = new Float32Array(grid.n);
  const rv = new Float32Array(grid.n);
  const lamB = Float64Array.from({ length: blue.grid.n }, (_, i) => blue.grid.start + i * blue.grid.step);
  const lamR = Float64Array.from({ length: red.grid.n }, (_, i) => red.grid.start + i * red.grid.step);
  for (let r = 0; r < nRows; r++) {
    scrunch(blue.flux, blue.variance, r * blue.grid.n, blue.grid.n, lamB, 0, grid, bf, bv, 0);
    scrunch(red.flux, red.variance, r * red.grid.n, red.grid.n, lamR, 0, grid, rf, rv, 0);
    const o = r * grid.n;
    for (let k = 0; k < grid.n; k++) {
      const hasB = bf[k] === bf[k] && bv[k] > 0;
      const hasR = rf[k] === rf[k] && rv[k] > 0;
      if (hasB && hasR) {
        const wb = 1 / bv[k];
        const wr = 1 / rv[k];
        flux[o + k] = (bf[k] * wb + rf[k] * wr) / (wb + wr);
        variance[o + k] = 1 / (wb + wr);
      } else if (hasB) {
        flux[o + k] = bf[k];
        variance[o + k] = bv[k];
      } else if (hasR) {
        flux[o + k] = rf[k];
        variance[o + k] = rv[k];
      } else {
        flux[o + k] = NaN;
        variance[o + k] = NaN;
      }
    }
  }
  return { flux, variance };
}
