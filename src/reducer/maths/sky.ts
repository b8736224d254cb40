// Sky: throughput from sky-line fluxes (TPMETH SKYFLUX) and subtraction of the median sky fibre.
import { medianVarianceFactor } from './image-combine.js';
import { blockMedianBaseline, medianFinite, medianInPlace } from './stats.js';

/** The sky spectrum (median of the sky fibres) and its variance, per output pixel. */
export function medianSky(flux: Float32Array, variance: Float32Array, npix: number, skyFibres: readonly number[]): { sky: Float32Array; variance: Float32Array } {
  const sky = new Float32Array(npix);
  const sv = new Float32Array(npix);
  const buf = new Float64Array(skyFibres.length);
  for (let x = 0; x < npix; x++) {
    let m = 0;
    let vs = 0;
    for (const f of skyFibres) {
      const v = flux[f * npix + x];
      if (v === v) {
        buf[m++] = v;
        vs += variance[f * npix + x];
      }
    }
    sky[x] = m ? medianInPlace(buf, m) : NaN;
    sv[x] = m ? (vs / m) * medianVarianceFactor(m) : NaN;
  }
  return { sky, variance: sv };
}

/** Pixels of sky emission lines: sky above its smooth continuum by `threshold` noise sigmas. */
export function skyLinePixels(sky: Float32Array, skyVar: Float32Array, npix: number, threshold: number): Uint8Array {
  const base = new Float64Array(npix);
  blockMedianBaseline(sky, 0, npix, 64, base, new Float64Array(128));
  const mask = new Uint8Array(npix);
  for (let x = 0; x < npix; x++) {
    const e = sky[x] - base[x];
    if (e > threshold * Math.sqrt(Math.max(skyVar[x], 1e-12)) && e > 0) mask[x] = 1;
  }
  return mask;
}

/**
 * Relative throughput of each fibre from its flux in the sky lines, continuum removed with the
 * median of 10 pixels either side of each line: t_f = line flux of fibre f / line flux of the median
 * sky. Fibres whose line flux is measured worse than `maxError` (fractional) keep 1. Normalised so
 * the sky fibres' median is 1.
 */
export function skyLineThroughput(
  flux: Float32Array,
  variance: Float32Array,
  nFibres: number,
  npix: number,
  usable: Uint8Array,
  skyFibres: readonly number[],
  sky: Float32Array,
  lineMask: Uint8Array,
  maxError = 0.05,
): { throughput: Float32Array; lines: number } {
  const runs: [number, number][] = [];
  for (let x = 0; x < npix; x++) {
    if (!lineMask[x]) continue;
    let e = x;
    while (e + 1 < npix && lineMask[e + 1]) e++;
    runs.push([Math.max(0, x - 1), Math.min(npix - 1, e + 1)]);
    x = e;
  }
  const t = new Float32Array(nFibres).fill(1);
  if (!runs.length) return { throughput: t, lines: 0 };
  const side = new Float64Array(20);
  const lineFlux = (spec: ArrayLike<number>, off: number, vr: ArrayLike<number> | null): [number, number] => {
    let total = 0;
    let tv = 0;
    for (const [a, b] of runs) {
      let m = 0;
      for (let x = Math.max(0, a - 10); x < a; x++) if (!lineMask[x]) side[m++] = spec[off + x];
      for (let x = b + 1; x <= Math.min(npix - 1, b + 10); x++) if (!lineMask[x]) side[m++] = spec[off + x];
      const cont = medianFinite(side, 0, m, 1, new Float64Array(20));
      for (let x = a; x <= b; x++) {
        total += spec[off + x] - cont;
        if (vr) tv += vr[off + x];
      }
    }
    return [total, tv];
  };
  const [skyLine] = lineFlux(sky, 0, null);
  if (!(skyLine > 0)) return { throughput: t, lines: 0 };
  for (let f = 0; f < nFibres; f++) {
    if (!usable[f]) continue;
    const [lf, lv] = lineFlux(flux, f * npix, variance);
    if (lf === lf && Math.sqrt(lv) / skyLine < maxError && lf > 0) t[f] = lf / skyLine;
  }
  const buf = new Float64Array(skyFibres.length);
  let m = 0;
  for (const f of skyFibres) if (usable[f]) buf[m++] = t[f];
  const norm = m ? medianInPlace(buf, m) : 1;
  for (let f = 0; f < nFibres; f++) if (usable[f] && norm > 0) t[f] /= norm;
  return { throughput: t, lines: runs.length };
}

/** flux[f] -= sky and variance[f] += skyVar for each fibre in `fibres`. */
export function subtractSky(flux: Float32Array, variance: Float32Array, npix: number, fibres: readonly number[], sky: Float32Array, skyVar: Float32Array): void {
  for (const f of fibres) {
    const o = f * npix;
    for (let x = 0; x < npix; x++) {
      flux[o + x] -= sky[x];
      variance[o + x] += skyVar[x];
    }
  }
}

/** flux[f] /= t[f], variance[f] /= t[f]^2 for fibres with a positive factor. */
export function scaleFibres(flux: Float32Array, variance: Float32Array, npix: number, t: Float32Array): void {
  for (let f = 0; f < t.length; f++) {
    const k = t[f];
    if (!(k > 0) || k === 1) continue;
    for (let x = 0; x < npix; x++) {
      flux[f * npix + x] /= k;
      variance[f * npix + x] /= k * k;
    }
  }
}
