// Overscan (bias strip) subtraction and trimming of a raw CCD frame, as 2dFdr's make_im
// "Debiasing from overscan region" step.
import { fitPolyClipped, evalPoly } from './polyfit.js';
import { sortSmall } from './stats.js';

/** 0-based, half-open column ranges of the illuminated data and of the overscan strip. */
export interface Geometry {
  dataX0: number;
  dataWidth: number;
  biasX0: number;
  biasWidth: number;
}

export interface OverscanResult {
  /** dataWidth x height, row-major, overscan level subtracted. */
  image: Float32Array;
  /** The fitted overscan level of each row (ADU). */
  level: Float64Array;
}

/**
 * Per row, the mean of the overscan pixels within `clipAdu` of their median (rejects cosmic rays and
 * hot pixels without the half-ADU bias a median of integer counts has); then a polynomial of
 * `order` in y through those row levels, clipped at 3 sigma, which averages the read noise of
 * 4098 rows down to a negligible level while following slow drifts of the bias.
 */
export function subtractOverscan(raw: ArrayLike<number>, rawWidth: number, height: number, g: Geometry, order: number, clipAdu: number): OverscanResult {
  const rowLevel = new Float64Array(height);
  const ys = new Float64Array(height);
  const scratch = new Float64Array(g.biasWidth);
  for (let y = 0; y < height; y++) {
    const base = y * rawWidth + g.biasX0;
    for (let i = 0; i < g.biasWidth; i++) scratch[i] = raw[base + i];
    sortSmall(scratch, g.biasWidth);
    const med = g.biasWidth & 1 ? scratch[g.biasWidth >> 1] : 0.5 * (scratch[(g.biasWidth >> 1) - 1] + scratch[g.biasWidth >> 1]);
    let s = 0;
    let k = 0;
    for (let i = 0; i < g.biasWidth; i++) {
      if (Math.abs(scratch[i] - med) <= clipAdu) {
        s += scratch[i];
        k++;
      }
    }
    rowLevel[y] = k ? s / k : med;
    ys[y] = y;
  }
  const fit = fitPolyClipped(ys, rowLevel, height, Math.min(order, Math.max(0, height - 2)), 3, 5);
  const level = new Float64Array(height);
  for (let y = 0; y < height; y++) level[y] = fit ? evalPoly(fit.poly, y) : rowLevel[y];
  const image = new Float32Array(g.dataWidth * height);
  for (let y = 0; y < height; y++) {
    const src = y * rawWidth + g.dataX0;
    const dst = y * g.dataWidth;
    const l = level[y];
    for (let x = 0; x < g.dataWidth; x++) image[dst + x] = raw[src + x] - l;
  }
  return { image, level };
}

/**
 * CCD noise model in ADU^2: Poisson variance of the signal (counts / gain, never negative) plus the
 * read noise; gain in e-/ADU, readNoise in electrons (header RO_GAIN, RO_NOISE).
 */
export function ccdVariance(image: Float32Array, gain: number, readNoiseE: number): Float32Array {
  const rn2 = (readNoiseE / gain) ** 2;
  const v = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const s = image[i];
    v[i] = (s > 0 ? s / gain : 0) + rn2;
  }
  return v;
}
