// Arc-lamp emission lines in an extracted spectrum: detection and Gaussian centres.
import { fitGaussian, logParabolaPeak, type GaussFit, type PeakEstimate } from './gaussian.js';
import { blockMedianBaseline, madSigma } from './stats.js';

export interface FoundLines {
  /** 0-based pixel centres, ascending. */
  x: Float64Array;
  /** Peak heights above the continuum (counts). */
  amplitude: Float64Array;
  /** Gaussian sigmas (pixels). */
  sigma: Float64Array;
  count: number;
}

/** Half-width of the window a line's Gaussian is fitted over. */
const FIT_HALF = 3;

/**
 * Finds lines in spec[off .. off+n): local maxima of the continuum-subtracted spectrum at least
 * `threshold` noise sigmas high (noise from the variance when given, else from the spread of the
 * spectrum itself), each centred by a least-squares Gaussian over 7 pixels.
 */
export function findArcLines(spec: Float32Array, variance: Float32Array | null, off: number, n: number, threshold: number): FoundLines {
  const base = new Float64Array(n);
  const scratch = new Float64Array(2 * 64);
  blockMedianBaseline(spec, off, n, 64, base, scratch);
  const r = new Float64Array(n);
  let finite = 0;
  const tmp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = spec[off + i] - base[i];
    if (r[i] === r[i]) tmp[finite++] = r[i];
    else r[i] = 0;
  }
  const globalNoise = Math.max(madSigma(tmp, finite, 0), 1e-9);
  const xs: number[] = [];
  const amps: number[] = [];
  const sigs: number[] = [];
  const est: PeakEstimate = { offset: 0, sigma: 0 };
  const fit: GaussFit = { centre: 0, sigma: 0, amplitude: 0 };
  for (let i = FIT_HALF; i < n - FIT_HALF; i++) {
    const v = r[i];
    if (!(v > r[i - 1] && v >= r[i + 1])) continue;
    const noise = variance ? Math.sqrt(Math.max(variance[off + i], 0)) || globalNoise : globalNoise;
    if (v < threshold * noise) continue;
    if (!logParabolaPeak(r[i - 1], v, r[i + 1], est)) continue;
    const start: GaussFit = { centre: i + est.offset, sigma: Number.isFinite(est.sigma) ? est.sigma : 1, amplitude: v };
    const ok = fitGaussian(r, i - FIT_HALF, 2 * FIT_HALF + 1, start, fit);
    if (!ok || Math.abs(fit.centre - start.centre) > 1 || fit.sigma > 6) continue;
    xs.push(fit.centre);
    amps.push(fit.amplitude);
    sigs.push(fit.sigma);
  }
  return { x: Float64Array.from(xs), amplitude: Float64Array.from(amps), sigma: Float64Array.from(sigs), count: xs.length };
}
