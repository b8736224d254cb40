// Extraction of one spectrum per fibre along the tramlines, with variance (the make_ex step).
import { normalCdf } from './gaussian.js';

export type ExtractMethod = 'GAUSS' | 'SUM';

export interface ExtractOptions {
  method: ExtractMethod;
  /** SUM: half-width (rows) of the aperture around the trace centre. */
  boxHalfWidth: number;
  /** GAUSS: reject pixels this many sigma above the fitted profile (cosmic rays); 0 disables. */
  crSigma: number;
  /** For the model variance used by the rejection: gain (e-/ADU) and read noise (ADU). */
  gain: number;
  readNoiseAdu: number;
}

export interface Extracted {
  /** nFibres x width, row-major: total counts of each fibre at each column. */
  flux: Float32Array;
  variance: Float32Array;
  /** Pixels rejected as cosmic rays. */
  rejected: number;
}

/** GAUSS windows reach this many sigma either side of the centre (beyond it the profile holds < 1e-4). */
const WINDOW_SIGMAS = 4;
/** Fractional profile mismatch allowed before a pixel counts as an outlier (bright lines are never perfectly Gaussian). */
const PROFILE_SLACK = 0.1;
/**
 * A pixel whose extraction rejected this many profile pixels, or kept under this share of the profile
 * weight (sum P^2), is bad: a cosmic-ray track across the slit leaves a centre pixel that fits itself.
 * One hit, even at the centre (47% of the weight at sigma 1.1), still leaves the +-1 pixels to measure.
 */
const MAX_REJECTED = 3;
const MIN_WEIGHT_KEPT = 0.5;

/**
 * Extracts every fibre. GAUSS is a profile-weighted fit of the pixel-integrated Gaussian cross-section
 * (sigma from the tramline map) with constant weights, so the flux estimate is unbiased whatever the
 * noise; variance = sum P^2 V / (sum P^2)^2. NaN pixels are left out of the fit. SUM adds the pixels
 * of a fixed aperture, edge pixels by the fraction they overlap it.
 */
export function extractSpectra(
  image: Float32Array,
  variance: Float32Array,
  width: number,
  height: number,
  centres: Float32Array,
  sigma: Float32Array,
  nFibres: number,
  o: ExtractOptions,
): Extracted {
  const flux = new Float32Array(nFibres * width);
  const vout = new Float32Array(nFibres * width);
  const maxWin = 2 * Math.ceil(Math.max(o.boxHalfWidth, WINDOW_SIGMAS * Math.max(...Array.from(sigma, (s) => (Number.isFinite(s) ? s : 1))))) + 3;
  const p = new Float64Array(maxWin);
  const d = new Float64Array(maxWin);
  const v = new Float64Array(maxWin);
  const use = new Uint8Array(maxWin);
  const rn2 = o.readNoiseAdu * o.readNoiseAdu;
  let rejected = 0;
  for (let f = 0; f < nFibres; f++) {
    const s = Number.isFinite(sigma[f]) && sigma[f] > 0 ? sigma[f] : 1;
    const hw = o.method === 'GAUSS' ? Math.max(2.5, WINDOW_SIGMAS * s) : o.boxHalfWidth;
    for (let x = 0; x < width; x++) {
      const out = f * width + x;
      const c = centres[out] - 1;
      const lo = Math.max(0, Math.ceil(c - hw - (o.method === 'SUM' ? 0.5 : 0)));
      const hi = Math.min(height - 1, Math.floor(c + hw + (o.method === 'SUM' ? 0.5 : 0)));
      const n = hi - lo + 1;
      if (!(n > 0) || !Number.isFinite(c)) {
        flux[out] = NaN;
        vout[out] = NaN;
        continue;
      }
      // Consecutive pixels share an edge, so each CDF value serves twice.
      let lowerCdf = o.method === 'GAUSS' ? normalCdf((lo - 0.5 - c) / s) : 0;
      for (let i = 0; i < n; i++) {
        const y = lo + i;
        const k = y * width + x;
        d[i] = image[k];
        v[i] = variance[k];
        use[i] = d[i] === d[i] && v[i] === v[i] ? 1 : 0;
        if (o.method === 'GAUSS') {
          const upperCdf = normalCdf((y + 0.5 - c) / s);
          p[i] = upperCdf - lowerCdf;
          lowerCdf = upperCdf;
        } else {
          // Overlap of pixel [y-0.5, y+0.5] with the aperture [c-hw, c+hw].
          p[i] = Math.max(0, Math.min(y + 0.5, c + hw) - Math.max(y - 0.5, c - hw));
        }
      }
      if (o.method === 'SUM') {
        let sf = 0;
        let sv = 0;
        let wAll = 0;
        let wUsed = 0;
        for (let i = 0; i < n; i++) {
          wAll += p[i];
          if (!use[i]) continue;
          wUsed += p[i];
          sf += p[i] * d[i];
          sv += p[i] * p[i] * v[i];
        }
        // Bad pixels inside the aperture: scale up by the aperture fraction they took away.
        const g = wUsed > 0 ? wAll / wUsed : NaN;
        flux[out] = sf * g;
        vout[out] = sv * g * g;
        continue;
      }
      let fl = NaN;
      let dropped = 0;
      for (let pass = 0; pass < n; pass++) {
        let spp = 0;
        let spd = 0;
        for (let i = 0; i < n; i++) {
          if (!use[i]) continue;
          spp += p[i] * p[i];
          spd += p[i] * d[i];
        }
        fl = spp > 1e-3 ? spd / spp : NaN;
        if (!(o.crSigma > 0) || fl !== fl) break;
        // The worst positive outlier against the model variance (the data variance of a cosmic-ray
        // pixel is inflated by the hit itself, which would hide it).
        let worst = -1;
        let worstZ = o.crSigma;
        for (let i = 0; i < n; i++) {
          if (!use[i]) continue;
          const m = fl * p[i];
          const mv = (m > 0 ? m / o.gain : 0) + rn2 + (PROFILE_SLACK * m) ** 2;
          const z = (d[i] - m) / Math.sqrt(mv);
          if (z > worstZ) {
            worstZ = z;
            worst = i;
          }
        }
        if (worst < 0) break;
        use[worst] = 0;
        dropped++;
        rejected++;
      }
      let spp = 0;
      let spv = 0;
      let sppAll = 0;
      for (let i = 0; i < n; i++) {
        sppAll += p[i] * p[i];
        if (!use[i]) continue;
        spp += p[i] * p[i];
        spv += p[i] * p[i] * v[i];
      }
      // A track along the slit can cover the whole profile: with most of its weight rejected the
      // pixel is bad (NaN), not an estimate from the wings.
      const ok = spp > 1e-3 && spp >= MIN_WEIGHT_KEPT * sppAll && dropped < MAX_REJECTED;
      flux[out] = ok ? fl : NaN;
      vout[out] = ok ? spv / (spp * spp) : NaN;
    }
  }
  return { flux, variance: vout, rejected };
}
