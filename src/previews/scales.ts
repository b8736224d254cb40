// Numbers for drawing: robust display ranges (percentiles of a subsample, NaN-safe), "nice" axis ticks and a
// perceptual colour map; pure.
import type { Rgb } from './raster.js';

const finite = Number.isFinite;

/** Finite values of data, at most `max` of them taken at an even stride (enough for percentiles). */
export function sample(data: ArrayLike<number>, max = 200_000): Float64Array {
  const stride = Math.max(1, Math.floor(data.length / max));
  const out: number[] = [];
  for (let i = 0; i < data.length; i += stride) {
    const v = data[i];
    if (finite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/** The p-th percentile (0-100) of sorted values; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))));
  return sorted[at];
}

/** A display range [lo, hi] with lo < hi from percentiles; a flat or empty image still gets a usable range. */
export function displayRange(sorted: Float64Array, pLo: number, pHi: number): [number, number] {
  let lo = percentile(sorted, pLo);
  let hi = percentile(sorted, pHi);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi <= lo) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

export interface Ticks {
  values: number[];
  /** Digits after the decimal point that show the step. */
  decimals: number;
}

/** About `target` round-numbered ticks (1, 2, 5 x 10^n steps) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): Ticks {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return { values: [], decimals: 0 };
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const values: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { values, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

/** Tick label: fixed decimals for ordinary magnitudes, exponent form for very large or small ones. */
export function formatTick(v: number, decimals: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(1).replace('e+', 'e');
  return v.toFixed(Math.min(decimals, 6));
}

// Control points of matplotlib's "inferno" (perceptually uniform, dark-to-bright, readable in grey).
const inferno: Rgb[] = [
  [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
];

/** 256-entry colour map (RGB triplets) interpolated between the control points. */
export const colourMap: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (inferno.length - 1);
    const k = Math.min(inferno.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(inferno[k][c] * (1 - f) + inferno[k + 1][c] * f);
  }
  return lut;
})();
