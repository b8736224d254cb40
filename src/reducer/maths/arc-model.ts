// Whole-spectrum refinement of an arc's dispersion solution: every list line in range is modelled at
// once as a pixel-integrated Gaussian (free amplitude, common width) whose position follows one
// polynomial x(lambda), fitted by Levenberg-Marquardt. Blended lines - the rule at low resolution,
// where line-by-line centring must drop them - then constrain the solution too.
import { fitPoly, evalPoly, evalPolyDerivative, solveSpdInPlace, type Poly } from './polyfit.js';

const SQRT2PI = Math.sqrt(2 * Math.PI);
/** Lines influence pixels within this many sigma. */
const REACH = 5;
/** Pixels this many sigma off the converged model (cosmic rays, unlisted lines) are dropped once and the fit resumed. */
const CLIP = 6;

function cdf(z: number): number {
  // Same erf approximation as gaussian.ts, inlined: this is the innermost loop.
  const a = z < 0 ? -z * Math.SQRT1_2 : z * Math.SQRT1_2;
  const t = 1 / (1 + 0.3275911 * a);
  const e = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return z < 0 ? 0.5 * (1 - e) : 0.5 * (1 + e);
}

export interface ArcModelResult {
  /** Wavelength (Angstrom) of 0-based pixel x. */
  poly: Poly;
  sigma: number;
  /** chi^2 per degree of freedom of the final model. */
  chi2: number;
  lines: number;
}

/**
 * Refines `initial` (lambda of x) against spec[off .. off+n) with its variance. `list` holds every
 * laboratory line (Angstrom, ascending). Returns null when the fit fails or does not improve on the
 * start (the caller keeps the line-by-line solution).
 */
export function refineArcModel(spec: Float32Array, variance: Float32Array, off: number, n: number, list: Float64Array, initial: Poly, degree: number, sigma0: number): ArcModelResult | null {
  // x(lambda) from the initial lambda(x), sampled densely (the inverse of a gently curved polynomial is one of the same degree to << 0.01 px).
  const xs = Float64Array.from({ length: 65 }, (_, i) => -3 * sigma0 + (i * (n - 1 + 6 * sigma0)) / 64);
  const lam = Float64Array.from(xs, (x) => evalPoly(initial, x));
  const inv = fitPoly(lam, xs, xs.length, degree);
  if (!inv) return null;
  const lines = Array.from(list).filter((l) => {
    const x = evalPoly(inv, l);
    return x > -REACH * sigma0 && x < n - 1 + REACH * sigma0;
  });
  const K = lines.length;
  const d = degree + 1;
  if (K < d + 2) return null;
  const tk = lines.map((l) => (l - inv.x0) / inv.scale);
  // Parameters: K amplitudes, d coefficients of x(t), sigma, background.
  const P = K + d + 2;
  const iS = K + d;
  const iB = K + d + 1;
  const p = new Float64Array(P);
  for (let j = 0; j < d; j++) p[K + j] = inv.coeffs[j];
  p[iS] = sigma0;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = variance[off + i];
    const y = spec[off + i];
    w[i] = y === y && v > 0 ? 1 / v : 0;
  }
  const pos = new Float64Array(K);
  const jac = new Float64Array(P);
  const idx = new Int32Array(P);
  const ata = new Float64Array(P * P);
  const atr = new Float64Array(P);
  const globals = new Float64Array(d);

  /** chi^2 of parameters q; fills the normal equations when `build`. */
  const evaluate = (q: Float64Array, build: boolean, linearOnly: boolean): number => {
    for (let k = 0; k < K; k++) {
      let x = 0;
      for (let j = d - 1; j >= 0; j--) x = x * tk[k] + q[K + j];
      pos[k] = x;
    }
    const s = q[iS];
    if (build) {
      ata.fill(0);
      atr.fill(0);
    }
    let chi2 = 0;
    let first = 0;
    for (let i = 0; i < n; i++) {
      globals.fill(0);
      if (w[i] === 0) continue;
      while (first < K && pos[first] < i - REACH * s) first++;
      let model = q[iB];
      let m = 0;
      let dS = 0;
      for (let k = first; k < K && pos[k] <= i + REACH * s; k++) {
        const zp = (i + 0.5 - pos[k]) / s;
        const zm = (i - 0.5 - pos[k]) / s;
        const g = cdf(zp) - cdf(zm);
        model += q[k] * g;
        if (!build) continue;
        const fp = Math.exp(-0.5 * zp * zp) / SQRT2PI;
        const fm = Math.exp(-0.5 * zm * zm) / SQRT2PI;
        const dgdc = -(fp - fm) / s;
        const dgds = -(fp * zp - fm * zm) / s;
        idx[m] = k;
        jac[m++] = g;
        let tp = 1;
        for (let j = 0; j < d; j++) {
          globals[j] += q[k] * dgdc * tp;
          tp *= tk[k];
        }
        dS += q[k] * dgds;
      }
      const r = spec[off + i] - model;
      chi2 += r * r * w[i];
      if (!build) continue;
      if (!linearOnly) {
        for (let j = 0; j < d; j++) {
          idx[m] = K + j;
          jac[m++] = globals[j];
        }
        idx[m] = iS;
        jac[m++] = dS;
      }
      idx[m] = iB;
      jac[m++] = 1;
      // Upper triangle only; mirrored once the sums are complete.
      for (let a = 0; a < m; a++) {
        const ja = jac[a] * w[i];
        const ra = idx[a];
        atr[ra] += ja * r;
        for (let b = a; b < m; b++) {
          const rb = idx[b];
          if (ra <= rb) ata[ra * P + rb] += ja * jac[b];
          else ata[rb * P + ra] += ja * jac[b];
        }
      }
    }
    if (build) for (let r = 0; r < P; r++) for (let c = 0; c < r; c++) ata[r * P + c] = ata[c * P + r];
    return chi2;
  };

  // Amplitudes and background first (linear, positions and width fixed), then everything.
  evaluate(p, true, true);
  for (let j = 0; j <= d; j++) {
    const f = K + j;
    for (let k = 0; k < P; k++) ata[f * P + k] = ata[k * P + f] = 0;
    atr[f] = 0;
  }
  for (let k = 0; k < P; k++) if (ata[k * P + k] === 0) ata[k * P + k] = 1;
  if (!solveSpdInPlace(ata, atr, P)) return null;
  for (let k = 0; k < P; k++) p[k] += atr[k];
  const start = evaluate(p, false, false);
  // Levenberg-Marquardt; the evaluation of an accepted trial supplies the next normal equations.
  let chi2 = evaluate(p, true, false);
  const a0 = Float64Array.from(ata);
  const g0 = Float64Array.from(atr);
  const trial = new Float64Array(P);
  let lambdaLm = 1e-3;
  let clipped = false;
  for (let it = 0; it < 40; it++) {
    ata.set(a0);
    atr.set(g0);
    for (let k = 0; k < P; k++) ata[k * P + k] = ata[k * P + k] * (1 + lambdaLm) || 1;
    if (!solveSpdInPlace(ata, atr, P)) {
      lambdaLm *= 10;
      if (lambdaLm > 1e6) break;
      continue;
    }
    let maxShift = 0;
    for (let k = 0; k < P; k++) trial[k] = p[k] + atr[k];
    for (let j = 0; j < d; j++) maxShift = Math.max(maxShift, Math.abs(atr[K + j]));
    if (!(trial[iS] > 0.2)) {
      lambdaLm *= 10;
      continue;
    }
    const c2 = evaluate(trial, true, false);
    if (c2 < chi2) {
      // Converged: chi^2 no longer moves, or the lines moved by under 0.002 px (50x below the accuracy asked of arcs).
      const small = (chi2 - c2) / chi2 < 1e-5 || maxShift < 2e-3;
      p.set(trial);
      chi2 = c2;
      a0.set(ata);
      g0.set(atr);
      lambdaLm = Math.max(lambdaLm / 10, 1e-7);
      if (!small) continue;
    } else {
      lambdaLm *= 10;
      if (lambdaLm <= 1e6) continue;
    }
    // Converged (or stuck): once, drop outlying pixels and resume; otherwise done.
    if (clipped || !clipOutliers(p)) break;
    clipped = true;
    chi2 = evaluate(p, true, false);
    a0.set(ata);
    g0.set(atr);
    lambdaLm = 1e-3;
  }
  if (!clipped && !(chi2 <= start)) return null;

  /** Zeroes the weight of pixels more than CLIP sigma from the model of q; true if any. */
  function clipOutliers(q: Float64Array): boolean {
    const model = new Float64Array(n).fill(q[iB]);
    const s = q[iS];
    for (let k = 0; k < K; k++) {
      for (let i = Math.max(0, Math.floor(pos[k] - REACH * s)); i <= Math.min(n - 1, Math.ceil(pos[k] + REACH * s)); i++) model[i] += q[k] * (cdf((i + 0.5 - pos[k]) / s) - cdf((i - 0.5 - pos[k]) / s));
    }
    let any = false;
    for (let i = 0; i < n; i++) {
      if (w[i] > 0 && Math.abs(spec[off + i] - model[i]) * Math.sqrt(w[i]) > CLIP) {
        w[i] = 0;
        any = true;
      }
    }
    return any;
  }
  const fitted: Poly = { coeffs: Float64Array.from({ length: d }, (_, j) => p[K + j]), x0: inv.x0, scale: inv.scale };
  // Back to lambda(x): invert x(lambda) on a grid of pixels by Newton steps, then fit.
  const gx = Float64Array.from({ length: 65 }, (_, i) => (i * (n - 1)) / 64);
  const gl = new Float64Array(65);
  for (let i = 0; i < 65; i++) {
    let l = evalPoly(initial, gx[i]);
    for (let k = 0; k < 8; k++) l -= (evalPoly(fitted, l) - gx[i]) / evalPolyDerivative(fitted, l);
    gl[i] = l;
  }
  const poly = fitPoly(gx, gl, 65, degree);
  if (!poly) return null;
  return { poly, sigma: p[iS], chi2: chi2 / Math.max(1, n - P), lines: K };
}
