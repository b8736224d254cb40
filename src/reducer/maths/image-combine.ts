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
 * The median of two values is their mean and rejects nothing, so for two frames the higher value is
 * dropped when it exceeds the lower by `clip` sigma of their difference: a cosmic ray is never negative.
 */
export function medianCombine(
  frames: readonly Float32Array[],
  variances: readonly (Float32Array | null)[],
  len: number,
  outData: Float32Array,
  outVar: Float32Array,
  clip = 5,
): void {
  const k = frames.length;
  const buf = new Float64Array(k);
  const from = new Int32Array(k);
  for (let i = 0; i < len; i++) {
    let m = 0;
    let vs = 0;
    for (let f = 0; f < k; f++) {
      const v = frames[f][i];
      if (v === v) {
        from[m] = f;
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
    if (m === 2) {
      const v0 = variances[from[0]]?.[i] ?? 0;
      const v1 = variances[from[1]]?.[i] ?? 0;
      const lo = Math.min(buf[0], buf[1]);
      if (Math.abs(buf[0] - buf[1]) > clip * Math.sqrt(v0 + v1) && v0 + v1 > 0) {
        outData[i] = lo;
        outVar[i] = lo === buf[0] ? v0 : v1;
        continue;
      }
    }
    sortSmall(buf, m);
    outData[i] = m & 1 ? buf[m >> 1] : 0.5 * (buf[(m >> 1) - 1] + buf[m >> 1]);
    // Mean variance of the contributing frames, times the median's factor.
    outVar[i] = (vs / m) * medianVarianceFactor(m);
  }
}
