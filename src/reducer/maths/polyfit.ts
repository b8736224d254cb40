// Least-squares polynomials on a scaled abscissa, with iterative sigma clipping; used for overscan
// levels, tramline traces and dispersion solutions.

/** p(x) = sum_k coeffs[k] * t^k with t = (x - x0) / scale, so t stays within [-1, 1] and the normal equations stay well conditioned. */
export interface Poly {
  coeffs: Float64Array;
  x0: number;
  scale: number;
}

export function evalPoly(p: Poly, x: number): number {
  const t = (x - p.x0) / p.scale;
  const c = p.coeffs;
  let v = 0;
  for (let k = c.length - 1; k >= 0; k--) v = v * t + c[k];
  return v;
}

/** dp/dx at x. */
export function evalPolyDerivative(p: Poly, x: number): number {
  const t = (x - p.x0) / p.scale;
  const c = p.coeffs;
  let v = 0;
  for (let k = c.length - 1; k >= 1; k--) v = v * t + k * c[k];
  return v / p.scale;
}

/** Solves the symmetric system a x = b (n x n, row-major) by Gaussian elimination with partial pivoting; null if singular. */
export function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) piv = r;
    if (Math.abs(m[piv * n + col]) < 1e-300) return null;
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const t = m[col * n + k];
        m[col * n + k] = m[piv * n + k];
        m[piv * n + k] = t;
      }
      const t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col] / m[col * n + col];
      if (f === 0) continue;
      for (let k = col; k < n; k++) m[r * n + k] -= f * m[col * n + k];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}

/**
 * Weighted least-squares fit of y(x) over points with mask[i] != 0 (all when mask is omitted).
 * Returns null when fewer than degree + 1 points are usable or the system is singular.
 */
export function fitPoly(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  degree: number,
  mask?: Uint8Array,
  weights?: ArrayLike<number>,
): Poly | null {
  let lo = Infinity;
  let hi = -Infinity;
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
    used++;
  }
  if (used < degree + 1) return null;
  const x0 = (lo + hi) / 2;
  const scale = hi > lo ? (hi - lo) / 2 : 1;
  const m = degree + 1;
  const ata = new Float64Array(m * m);
  const aty = new Float64Array(m);
  const pow = new Float64Array(2 * m);
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const w = weights ? weights[i] : 1;
    const t = (x[i] - x0) / scale;
    pow[0] = w;
    for (let k = 1; k < 2 * m; k++) pow[k] = pow[k - 1] * t;
    for (let r = 0; r < m; r++) {
      aty[r] += pow[r] * y[i];
      for (let c = 0; c < m; c++) ata[r * m + c] += pow[r + c];
    }
  }
  const coeffs = solveLinear(ata, aty, m);
  return coeffs ? { coeffs, x0, scale } : null;
}

export interface ClippedFit {
  poly: Poly;
  /** 1 for points kept in the final fit. */
  mask: Uint8Array;
  /** RMS of the kept points' residuals. */
  rms: number;
  used: number;
}

/**
 * Fits, rejects points more than `clip` RMS from the fit, refits, until nothing changes or
 * `iterations` passes; null when too few points survive.
 */
export function fitPolyClipped(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  degree: number,
  clip = 3,
  iterations = 5,
  initialMask?: Uint8Array,
): ClippedFit | null {
  const mask = initialMask ? Uint8Array.from(initialMask) : new Uint8Array(n).fill(1);
  let poly: Poly | null = null;
  let rms = 0;
  let used = 0;
  for (let it = 0; it <= iterations; it++) {
    poly = fitPoly(x, y, n, degree, mask);
    if (!poly) return null;
    let ss = 0;
    used = 0;
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      const r = y[i] - evalPoly(poly, x[i]);
      ss += r * r;
      used++;
    }
    rms = Math.sqrt(ss / Math.max(1, used - degree - 1));
    if (it === iterations || rms === 0) break;
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      if (Math.abs(y[i] - evalPoly(poly, x[i])) > clip * rms) {
        mask[i] = 0;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return poly ? { poly, mask, rms, used } : null;
}

/**
 * Solves a x = b for symmetric positive definite a (n x n, row-major) by Cholesky, in place: a is
 * overwritten by its factor and b by the solution. Returns false when a is not positive definite.
 */
export function solveSpdInPlace(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return true;
}
