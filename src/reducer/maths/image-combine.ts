// Median combination of a stack of calibrated images (bias, dark, long-slit flat) with variance:
// the median rejects cosmic rays and other one-frame outliers without any threshold to tune.
import { sortSmall } from './stats.js';

/**
 * Variance of the median of k samples of equal variance v: v/k for k <= 2 (the median of two is their
 * mean), otherwise the large-k asymptote pi/2 * v/k, which slightly overstates it for small k
 * (0.52 v vs the exact 0.45 v for k = 3) - the safe side for a noise estimate.
 */
export function medianVarianceFactor(k: number): number {
  return k <= 2 ? 1 / k : Math.PI / (2 * k);
}

/**
 * Combines pixels [0, len) of each frame in `frames` (all the same length, typically one band of rows)
 * into outData/outVar. NaN pixels are ignored; a pixel NaN in every frame stays NaN.
 * variances may be null per frame (then that frame's pixel variance is taken as 0).
 */
export function medianCombine(
  frames: readonly Float32Array[],
  variances: readonly (Float32Array | null)[],
  len: number,
  outData: Float32Array,
  outVar: Float32Array,
): void {
  const k = frames.length;
  const buf = new Float64Array(k);
  for (let i = 0; i < len; i++) {
    let m = 0;
    let vs = 0;
    for (let f = 0; f < k; f++) {
      const v = frames[f][i];
      if (v === v) {
        buf[m++] = v;
        const vr = variances[f];
        if (vr) vs += vr[i];
      }
    }
    if (m === 0) {
      outData[i] = NaN;
      outVar[i] = NaN;
      continue;
    }
    sortSmall(buf, m);
    outData[i] = m & 1 ? buf[m >> 1] : 0.5 * (buf[(m >> 1) - 1] + buf[m >> 1]);
    // Mean variance of the contributing frames, times the median's factor.
    outVar[i] = (vs / m) * medianVarianceFactor(m);
  }
}
