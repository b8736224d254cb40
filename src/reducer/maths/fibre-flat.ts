// Fibre-flat normalisation: the reduced MFFFF that object spectra are divided by, and the relative
// fibre throughputs it implies.
import { medianFinite, medianInPlace } from './stats.js';

export interface FibreFlat {
  /** nFibres x npix: each fibre's flat over the median fibre's, normalised so the median throughput is 1; NaN for unusable fibres. */
  flat: Float32Array;
  variance: Float32Array;
  /** Per fibre: median of its normalised flat over the central 80% of the columns (0 = unusable). */
  throughput: Float32Array;
}

/** Fibres whose flat throughput falls below this are treated as dead (their spectra become NaN). */
export const MIN_THROUGHPUT = 0.05;

/**
 * Divides each fibre's extracted flat by the median over the usable fibres at the same column, which
 * removes the lamp spectrum and the spectrograph response common to all fibres and keeps what
 * differs per fibre: its throughput and its pixel-to-pixel response. Columns where the median fibre
 * has no light (below 1% of its typical level) get 1, so dividing by the flat leaves them unchanged.
 */
export function normaliseFibreFlat(flux: Float32Array, variance: Float32Array, nFibres: number, npix: number, usable: Uint8Array): FibreFlat {
  const flat = new Float32Array(nFibres * npix);
  const fvar = new Float32Array(nFibres * npix);
  const ref = new Float64Array(npix);
  const scratch = new Float64Array(Math.max(nFibres, npix));
  const rows: number[] = [];
  for (let f = 0; f < nFibres; f++) if (usable[f]) rows.push(f);
  for (let x = 0; x < npix; x++) {
    let m = 0;
    for (const f of rows) {
      const v = flux[f * npix + x];
      if (v === v) scratch[m++] = v;
    }
    ref[x] = medianInPlace(scratch, m);
  }
  const typical = medianFinite(ref, 0, npix, 1, scratch);
  const dark = 0.01 * typical;
  for (let f = 0; f < nFibres; f++) {
    for (let x = 0; x < npix; x++) {
      const i = f * npix + x;
      const r = ref[x];
      if (!(r > dark)) {
        flat[i] = 1;
        fvar[i] = 0;
      } else {
        flat[i] = flux[i] / r;
        fvar[i] = variance[i] / (r * r);
      }
    }
  }
  const throughput = new Float32Array(nFibres);
  const x0 = Math.floor(0.1 * npix);
  const x1 = Math.ceil(0.9 * npix);
  for (let f = 0; f < nFibres; f++) throughput[f] = medianFinite(flat, f * npix + x0, x1 - x0, 1, scratch);
  let m = 0;
  for (const f of rows) if (throughput[f] > 0) scratch[m++] = throughput[f];
  const norm = m ? medianInPlace(scratch, m) : 1;
  for (let f = 0; f < nFibres; f++) {
    const t = throughput[f] / norm;
    const ok = usable[f] && t >= MIN_THROUGHPUT;
    throughput[f] = ok ? t : 0;
    for (let x = 0; x < npix; x++) {
      const i = f * npix + x;
      flat[i] = ok ? flat[i] / norm : NaN;
      fvar[i] = ok ? fvar[i] / (norm * norm) : NaN;
    }
  }
  return { flat, variance: fvar, throughput };
}

/**
 * spectra /= flat (same shape), variance propagated with the flat's own variance:
 * var(a/b) = var_a / b^2 + a^2 var_b / b^4.
 */
export function divideByFibreFlat(flux: Float32Array, variance: Float32Array, flat: Float32Array, flatVar: Float32Array): void {
  for (let i = 0; i < flux.length; i++) {
    const b = flat[i];
    const a = flux[i];
    if (!(b > 0)) {
      flux[i] = NaN;
      variance[i] = NaN;
      continue;
    }
    flux[i] = a / b;
    variance[i] = variance[i] / (b * b) + (a * a * flatVar[i]) / (b * b * b * b);
  }
}
