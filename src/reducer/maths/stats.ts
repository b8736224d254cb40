// Order statistics and robust estimates on typed-array scratch buffers; no allocation per call.

/** Sorts buf[0..n) ascending in place; insertion sort, fast for the small n of per-pixel stacks. */
export function sortSmall(buf: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = buf[i];
    let j = i - 1;
    while (j >= 0 && buf[j] > v) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = v;
  }
}

/** The k-th smallest (0-based) of buf[0..n) by quickselect; reorders buf. */
export function select(buf: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    if (hi - lo < 16) {
      // Small ranges: insertion sort the remainder.
      for (let i = lo + 1; i <= hi; i++) {
        const v = buf[i];
        let j = i - 1;
        while (j >= lo && buf[j] > v) {
          buf[j + 1] = buf[j];
          j--;
        }
        buf[j + 1] = v;
      }
      return buf[k];
    }
    // Median-of-three pivot keeps sorted or constant input linear on average.
    const mid = (lo + hi) >>> 1;
    const a = buf[lo];
    const b = buf[mid];
    const c = buf[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i] < pivot) i++;
      while (buf[j] > pivot) j--;
      if (i <= j) {
        const t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return buf[k];
  }
  return buf[k];
}

/** Median of buf[0..n) (mean of the middle two for even n); reorders buf. NaN for n = 0. */
export function medianInPlace(buf: Float64Array, n: number): number {
  if (n <= 0) return NaN;
  const h = n >> 1;
  const upper = select(buf, n, h);
  if (n & 1) return upper;
  // After select, buf[0..h) holds the smaller half: its maximum is the lower middle.
  let lower = -Infinity;
  for (let i = 0; i < h; i++) if (buf[i] > lower) lower = buf[i];
  return (lower + upper) / 2;
}

/** Median of the finite values among src[off + i*stride], i < n, using scratch (length >= n). */
export function medianFinite(src: ArrayLike<number>, off: number, n: number, stride: number, scratch: Float64Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = src[off + i * stride];
    if (Number.isFinite(v)) scratch[m++] = v;
  }
  return medianInPlace(scratch, m);
}

/** 1.4826 x median absolute deviation of buf[0..n) about centre: the Gaussian sigma, robust to outliers. */
export function madSigma(buf: Float64Array, n: number, centre: number): number {
  for (let i = 0; i < n; i++) buf[i] = Math.abs(buf[i] - centre);
  return 1.4826 * medianInPlace(buf, n);
}

/**
 * Smooth baseline of a 1-D series: medians of blocks of `block` finite samples, linearly interpolated
 * between block centres (flat beyond the outer ones). Robust to narrow features such as emission lines,
 * and O(n) rather than a running median's O(n * block).
 */
export function blockMedianBaseline(src: ArrayLike<number>, off: number, n: number, block: number, out: Float64Array, scratch: Float64Array): void {
  const nb = Math.max(1, Math.round(n / block));
  const centres = new Float64Array(nb);
  const meds = new Float64Array(nb);
  let used = 0;
  for (let b = 0; b < nb; b++) {
    const x0 = Math.floor((b * n) / nb);
    const x1 = Math.floor(((b + 1) * n) / nb);
    const med = medianFinite(src, off + x0, x1 - x0, 1, scratch);
    if (Number.isFinite(med)) {
      centres[used] = (x0 + x1 - 1) / 2;
      meds[used] = med;
      used++;
    }
  }
  if (used === 0) {
    out.fill(NaN, 0, n);
    return;
  }
  let b = 0;
  for (let x = 0; x < n; x++) {
    while (b < used - 2 && x > centres[b + 1]) b++;
    if (used === 1 || x <= centres[0]) out[x] = meds[0];
    else if (x >= centres[used - 1]) out[x] = meds[used - 1];
    else {
      const t = (x - centres[b]) / (centres[b + 1] - centres[b]);
      out[x] = meds[b] + t * (meds[b + 1] - meds[b]);
    }
  }
}
