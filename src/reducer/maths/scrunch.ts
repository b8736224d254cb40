// "Scrunching": flux-conserving resampling of a spectrum with known per-pixel wavelengths onto a
// linear wavelength grid, with variance.

/** The linear grid of a reduced product: lambda(k) = start + k * step for 0-based output pixel k. */
export interface LinearGrid {
  start: number;
  step: number;
  n: number;
}

/**
 * Each output pixel receives the counts of the input pixels it overlaps, in proportion to the
 * overlap (the input pixel's edges are the midpoints between its and its neighbours' wavelengths);
 * variance takes the squared weights. Output pixels not wholly covered by the input, or touching a
 * NaN input pixel, are NaN. `lambda` must be ascending.
 */
export function scrunch(
  flux: Float32Array,
  variance: Float32Array,
  off: number,
  n: number,
  lambda: ArrayLike<number>,
  lamOff: number,
  grid: LinearGrid,
  outFlux: Float32Array,
  outVar: Float32Array,
  outOff: number,
): void {
  const edge = (j: number): number => {
    if (j <= 0) return lambda[lamOff] - 0.5 * (lambda[lamOff + 1] - lambda[lamOff]);
    if (j >= n) return lambda[lamOff + n - 1] + 0.5 * (lambda[lamOff + n - 1] - lambda[lamOff + n - 2]);
    return 0.5 * (lambda[lamOff + j - 1] + lambda[lamOff + j]);
  };
  const inLo = edge(0);
  const inHi = edge(n);
  let j = 0;
  let ej0 = edge(0);
  let ej1 = edge(1);
  for (let k = 0; k < grid.n; k++) {
    const lo = grid.start + (k - 0.5) * grid.step;
    const hi = lo + grid.step;
    if (lo < inLo || hi > inHi) {
      outFlux[outOff + k] = NaN;
      outVar[outOff + k] = NaN;
      continue;
    }
    while (j < n - 1 && ej1 <= lo) {
      j++;
      ej0 = ej1;
      ej1 = edge(j + 1);
    }
    let sf = 0;
    let sv = 0;
    let jj = j;
    let a = ej0;
    let b = ej1;
    while (jj < n && a < hi) {
      const w = (Math.min(b, hi) - Math.max(a, lo)) / (b - a);
      if (w > 0) {
        sf += w * flux[off + jj];
        sv += w * w * variance[off + jj];
      }
      jj++;
      a = b;
      b = edge(jj + 1);
    }
    outFlux[outOff + k] = sf;
    outVar[outOff + k] = sv;
  }
}
