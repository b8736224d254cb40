// Arc line identification against a laboratory line list and the fitted pixel -> wavelength solution.
import { evalPoly, evalPolyDerivative, fitPolyClipped, type Poly } from './polyfit.js';

export interface ArcLine {
  wavelengthAngstrom: number;
  /** Relative intensity (any scale); used to skip blends and to rank lines. */
  intensity: number;
}

/** The instrument's prediction: lambda(x) = centreAngstrom + dispersion * (x - xc), x 0-based. */
export interface LinearGuess {
  centreAngstrom: number;
  dispersion: number;
  xc: number;
}

export interface DispersionSolution {
  /** Wavelength (Angstrom) of 0-based pixel x. */
  poly: Poly;
  /** RMS of the kept lines' residuals, in pixels. */
  rmsPx: number;
  lines: number;
  /** Matched observed positions and their laboratory wavelengths (the kept ones). */
  x: Float64Array;
  wavelength: Float64Array;
}

/**
 * Lines of the list usable for calibration: ascending, and without a neighbour within `minSepAngstrom`
 * bright enough (over 5% of the line) to pull its centre.
 */
export function isolatedLines(list: readonly ArcLine[], lo: number, hi: number, minSepAngstrom: number): Float64Array {
  const sorted = [...list].sort((a, b) => a.wavelengthAngstrom - b.wavelengthAngstrom);
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const l = sorted[i];
    if (l.wavelengthAngstrom < lo || l.wavelengthAngstrom > hi) continue;
    let blended = false;
    for (let j = i - 1; j >= 0 && l.wavelengthAngstrom - sorted[j].wavelengthAngstrom < minSepAngstrom; j--) if (sorted[j].intensity > 0.05 * l.intensity) blended = true;
    for (let j = i + 1; j < sorted.length && sorted[j].wavelengthAngstrom - l.wavelengthAngstrom < minSepAngstrom; j++) if (sorted[j].intensity > 0.05 * l.intensity) blended = true;
    if (!blended) out.push(l.wavelengthAngstrom);
  }
  return Float64Array.from(out);
}

/** Index of the value in ascending `sorted` nearest to v. */
function nearest(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid;
    else hi = mid;
  }
  return Math.abs(sorted[lo] - v) <= Math.abs(sorted[hi] - v) ? lo : hi;
}

/**
 * Grid search of a shift (pixels) and a scale of the dispersion that line up the most observed lines
 * with list lines within `tolPx`: the identification step, robust to a first guess several pixels off.
 */
export function searchOffset(obs: Float64Array, list: Float64Array, g: LinearGuess, maxShiftPx: number, maxScale: number, tolPx: number): { shiftPx: number; scale: number; matches: number } {
  const halfSpan = Math.max(1, ...Array.from(obs, (x) => Math.abs(x - g.xc)));
  const scaleStep = tolPx / 2 / halfSpan;
  const nScale = maxScale > 0 ? Math.ceil(maxScale / scaleStep) : 0;
  const tol = tolPx * Math.abs(g.dispersion);
  let best = { shiftPx: 0, scale: 1, matches: -1, cost: Infinity };
  for (let iq = -nScale; iq <= nScale; iq++) {
    const q = 1 + iq * scaleStep;
    for (let s = -maxShiftPx; s <= maxShiftPx + 1e-9; s += tolPx / 2) {
      let m = 0;
      for (let j = 0; j < obs.length; j++) {
        const lam = g.centreAngstrom + g.dispersion * q * (obs[j] - g.xc - s);
        if (Math.abs(list[nearest(list, lam)] - lam) < tol) m++;
      }
      const cost = Math.abs(s) / maxShiftPx + Math.abs(q - 1);
      if (m > best.matches || (m === best.matches && cost < best.cost)) best = { shiftPx: s, scale: q, matches: m, cost };
    }
  }
  return best;
}

/**
 * Matches observed lines to the list with the current model and refits, tightening the tolerance
 * and raising the degree step by step (a wrong match at a loose tolerance is corrected once the
 * solution is better); each list line is taken by at most its nearest observed line.
 */
export function solveDispersion(obs: Float64Array, list: Float64Array, initial: (x: number) => number, dispersion: number, degree: number): DispersionSolution | null {
  let model = initial;
  let last: DispersionSolution | null = null;
  const stages: [number, number][] = [
    [2.5, 1],
    [1.5, Math.min(2, degree)],
    [1.0, degree],
    [0.6, degree],
    [0.6, degree],
  ];
  for (const [tolPx, deg] of stages) {
    const tol = tolPx * Math.abs(dispersion);
    const owner = new Int32Array(list.length).fill(-1);
    const dist = new Float64Array(list.length).fill(Infinity);
    for (let j = 0; j < obs.length; j++) {
      const lam = model(obs[j]);
      const k = nearest(list, lam);
      const d = Math.abs(list[k] - lam);
      if (d < tol && d < dist[k]) {
        owner[k] = j;
        dist[k] = d;
      }
    }
    const xs: number[] = [];
    const ls: number[] = [];
    for (let k = 0; k < list.length; k++) if (owner[k] >= 0) {
      xs.push(obs[owner[k]]);
      ls.push(list[k]);
    }
    if (xs.length < deg + 3) return last;
    const x = Float64Array.from(xs);
    const w = Float64Array.from(ls);
    const fit = fitPolyClipped(x, w, x.length, deg, 3, 5);
    if (!fit) return last;
    const poly = fit.poly;
    model = (v: number) => evalPoly(poly, v);
    const kx: number[] = [];
    const kw: number[] = [];
    for (let i = 0; i < x.length; i++) if (fit.mask[i]) {
      kx.push(x[i]);
      kw.push(w[i]);
    }
    last = { poly, rmsPx: fit.rms / Math.abs(dispersion), lines: fit.used, x: Float64Array.from(kx), wavelength: Float64Array.from(kw) };
  }
  return last;
}

/** Checks that a solution increases monotonically across [0, n) (a wrong identification folds it). */
export function isMonotonic(p: Poly, n: number): boolean {
  const sign = Math.sign(evalPolyDerivative(p, n / 2));
  for (let x = 0; x < n; x += 16) if (Math.sign(evalPolyDerivative(p, x)) !== sign) return false;
  return Math.sign(evalPolyDerivative(p, n - 1)) === sign && sign !== 0;
}

/**
 * The shift (pixels, within +-maxShiftPx) of an existing solution that lines up the most observed
 * lines of another fibre with list lines: fibres differ by small offsets along the slit.
 */
export function bestShift(obs: Float64Array, list: Float64Array, model: (x: number) => number, dispersion: number, maxShiftPx: number, tolPx: number): number {
  const tol = tolPx * Math.abs(dispersion);
  let best = { s: 0, m: -1 };
  for (let s = -maxShiftPx; s <= maxShiftPx + 1e-9; s += tolPx / 2) {
    let m = 0;
    for (let j = 0; j < obs.length; j++) {
      const lam = model(obs[j] - s);
      if (Math.abs(list[nearest(list, lam)] - lam) < tol) m++;
    }
    if (m > best.m || (m === best.m && Math.abs(s) < Math.abs(best.s))) best = { s, m };
  }
  return best.s;
}
