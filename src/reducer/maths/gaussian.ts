// The Gaussian pieces shared by tracing, extraction and line fitting: the normal CDF and a
// three-point log-parabola peak estimate.

/**
 * Error function, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): ample for profile weights, whose
 * sums are normalised by the same function, and cheap enough for millions of calls per frame.
 */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = x < 0 ? -x : x;
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z * Math.SQRT1_2));
}

export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

export interface PeakEstimate {
  /** Offset of the peak from the middle sample, in samples (|offset| <= 1 when valid). */
  offset: number;
  /** Gaussian sigma implied by the curvature, in samples (NaN if not a peak). */
  sigma: number;
}

/**
 * Fits a parabola to the logarithms of three samples around a maximum: exact for a point-sampled
 * Gaussian. Falls back to a plain parabola when a sample is not positive.
 */
export function logParabolaPeak(left: number, mid: number, right: number, out: PeakEstimate): boolean {
  if (left > 0 && mid > 0 && right > 0) {
    const l = Math.log(left);
    const m = Math.log(mid);
    const r = Math.log(right);
    const curv = l - 2 * m + r;
    if (curv >= 0) return false;
    out.offset = (0.5 * (l - r)) / curv;
    out.sigma = Math.sqrt(-1 / curv);
    return Math.abs(out.offset) <= 1;
  }
  const curv = left - 2 * mid + right;
  if (curv >= 0) return false;
  out.offset = (0.5 * (left - right)) / curv;
  out.sigma = NaN;
  return Math.abs(out.offset) <= 1;
}

export interface GaussFit {
  centre: number;
  sigma: number;
  amplitude: number;
}

/**
 * Least-squares fit of a * exp(-(x-c)^2 / 2s^2) to samples y[off .. off+n) at x = off .. off+n-1
 * (background already removed), by damped Gauss-Newton from the given start. Returns false when it
 * does not converge to a peak inside the window.
 */
export function fitGaussian(y: ArrayLike<number>, off: number, n: number, start: GaussFit, out: GaussFit): boolean {
  let a = start.amplitude;
  let c = start.centre;
  let s = start.sigma;
  for (let it = 0; it < 20; it++) {
    // Normal equations of the 3 parameters.
    let j00 = 0, j01 = 0, j02 = 0, j11 = 0, j12 = 0, j22 = 0, g0 = 0, g1 = 0, g2 = 0;
    for (let i = 0; i < n; i++) {
      const x = off + i;
      const d = x - c;
      const e = Math.exp((-d * d) / (2 * s * s));
      const r = y[off + i] - a * e;
      const da = e;
      const dc = (a * e * d) / (s * s);
      const ds = (a * e * d * d) / (s * s * s);
      j00 += da * da; j01 += da * dc; j02 += da * ds;
      j11 += dc * dc; j12 += dc * ds; j22 += ds * ds;
      g0 += da * r; g1 += dc * r; g2 += ds * r;
    }
    // Solve the 3x3 system by Cramer's rule.
    const det = j00 * (j11 * j22 - j12 * j12) - j01 * (j01 * j22 - j12 * j02) + j02 * (j01 * j12 - j11 * j02);
    if (!(Math.abs(det) > 0)) return false;
    const da = (g0 * (j11 * j22 - j12 * j12) - j01 * (g1 * j22 - j12 * g2) + j02 * (g1 * j12 - j11 * g2)) / det;
    const dc = (j00 * (g1 * j22 - j12 * g2) - g0 * (j01 * j22 - j12 * j02) + j02 * (j01 * g2 - g1 * j02)) / det;
    const ds = (j00 * (j11 * g2 - g1 * j12) - j01 * (j01 * g2 - g1 * j02) + g0 * (j01 * j12 - j11 * j02)) / det;
    // Damp steps larger than half a sample, which only happen far from the solution.
    const f = Math.max(Math.abs(dc), Math.abs(ds)) > 0.5 ? 0.5 / Math.max(Math.abs(dc), Math.abs(ds)) : 1;
    a += f * da;
    c += f * dc;
    s += f * ds;
    if (!(s > 0.2) || !(a > 0)) return false;
    if (Math.abs(dc) < 1e-5 && Math.abs(ds) < 1e-5) break;
  }
  if (c < off || c > off + n - 1) return false;
  out.centre = c;
  out.sigma = s;
  out.amplitude = a;
  return true;
}
