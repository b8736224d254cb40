// Boxcar smoothing of a spectrum that skips masked (NaN) pixels: each output pixel is the mean of the finite
// pixels in a window of `width` pixels centred on it, and its variance that of the mean.
export function boxcar(values: ArrayLike<number>, width: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (width <= 1) {
    for (let i = 0; i < n; i++) out[i] = values[i];
    return out;
  }
  const half = Math.floor(width / 2);
  // Running sums over the finite values make it O(n) whatever the width.
  const sum = new Float64Array(n + 1);
  const count = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const ok = Number.isFinite(v);
    sum[i + 1] = sum[i] + (ok ? v : 0);
    count[i + 1] = count[i] + (ok ? 1 : 0);
  }
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    const c = count[b] - count[a];
    out[i] = Number.isFinite(values[i]) && c > 0 ? (sum[b] - sum[a]) / c : NaN;
  }
  return out;
}

/** The variance of the boxcar mean: sum of the window's variances over the count squared. */
export function boxcarVariance(variance: ArrayLike<number>, width: number): Float64Array {
  if (width <= 1) return Float64Array.from(variance as ArrayLike<number>);
  const mean = boxcar(variance, width);
  const half = Math.floor(width / 2);
  const n = variance.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = Math.max(0, i - half); j < Math.min(n, i + half + 1); j++) if (Number.isFinite(variance[j])) c++;
    out[i] = c ? mean[i] / c : NaN;
  }
  return out;
}

export const smoothingWidths = [1, 3, 5, 9, 15, 25] as const;
