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

/** Runs of line pixels, each widened by one pixel either side: [first, last] inclusive. */
function lineRuns(mask: Uint8Array, npix: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let x = 0; x < npix; x++) {
    if (!mask[x]) continue;
    let e = x;
    while (e + 1 < npix && mask[e + 1]) e++;
    runs.push([Math.max(0, x - 1), Math.min(npix - 1, e + 1)]);
    x = e;
  }
  return runs;
}

/**
 * Residual relative throughput of each fibre (after the fibre flat) from its flux in the sky lines:
 * per line, continuum removed with the median of 10 pixels either side, the fibre's line flux over the
 * median sky's; t_f = the weighted mean of those ratios with discordant lines dropped, normalised so
 * the sky fibres' median is 1. A fibre keeps 1 unless two or more lines agree on t, t is known to
 * `maxError` (fractional) and differs from 1 by more than `significance` times that error - hundreds
 * of fibres make 3-sigma flukes certain, and a flux wrong by 3 x 12% is worse than no correction.
 * The error counts the photon noise and how
 * uncertain the continuum under each line is (the spread of its side pixels: a bright object's slope
 * or a redshifted 4000 A break under a faint sky line makes that fibre's measurement worthless).
 * A few faint sky lines measure throughput worse than a lamp flat, and noise must not replace a good
 * flat. `lit`: fibres that see the sky (P and S; parked fibres do not).
 */
export function skyLineThroughput(
  flux: Float32Array,
  variance: Float32Array,
  nFibres: number,
  npix: number,
  lit: Uint8Array,
  skyFibres: readonly number[],
  sky: Float32Array,
  lineMask: Uint8Array,
  significance = 5,
  maxError = 0.03,
): { throughput: Float32Array; lines: number; corrected: number } {
  const runs = lineRuns(lineMask, npix);
  const t = new Float32Array(nFibres).fill(1);
  const side = new Float64Array(20);
  const scratch = new Float64Array(20);
  /** Continuum-subtracted flux of run j in spec, and its variance when vr is given. */
  const lineFlux = (spec: ArrayLike<number>, off: number, vr: ArrayLike<number> | null, j: number): [number, number] => {
    const [a, b] = runs[j];
    let m = 0;
    let sideVar = 0;
    for (const [x0, x1] of [[Math.max(0, a - 10), a - 1], [b + 1, Math.min(npix - 1, b + 10)]]) {
      for (let x = x0; x <= x1; x++) {
        if (lineMask[x]) continue;
        side[m++] = spec[off + x];
        if (vr) sideVar += vr[off + x];
      }
    }
    const cont = medianFinite(side, 0, m, 1, scratch);
    let total = 0;
    let tv = 0;
    for (let x = a; x <= b; x++) {
      total += spec[off + x] - cont;
      if (vr) tv += vr[off + x];
    }
    if (vr && m) {
      // The continuum is subtracted from all len pixels, so its error counts len^2 times: the photon
      // noise of a median of m pixels or, if larger, half the spread of the side pixels (a slope or
      // step under the line moves the true continuum by up to that much).
      const len = b - a + 1;
      for (let i = 0; i < m; i++) side[i] = Math.abs(side[i] - cont);
      const spread = 1.4826 * medianInPlace(side, m);
      tv += len * len * Math.max(medianVarianceFactor(m) * (sideVar / m), 0.5 * spread * spread);
    }
    return [total, tv];
  };
  const skyLine = runs.map((_, j) => lineFlux(sky, 0, null, j)[0]);
  const good = runs.map((_, j) => j).filter((j) => skyLine[j] > 0);
  if (!good.length) return { throughput: t, lines: 0, corrected: 0 };
  const err = new Float64Array(nFibres).fill(Infinity);
  const r = new Float64Array(good.length);
  const w = new Float64Array(good.length);
  for (let f = 0; f < nFibres; f++) {
    if (!lit[f]) continue;
    let m = 0;
    for (const j of good) {
      const [lf, lv] = lineFlux(flux, f * npix, variance, j);
      if (!(lf === lf) || !(lv > 0)) continue;
      r[m] = lf / skyLine[j];
      w[m] = (skyLine[j] * skyLine[j]) / lv;
      m++;
    }
    // Weighted mean of the lines' ratios, dropping (one at a time, while 3 remain) a line more than
    // 3 sigma off - an object's emission line next to a sky line, an unrejected cosmic ray.
    let mean = NaN;
    let sw = 0;
    for (;;) {
      let s = 0;
      sw = 0;
      for (let i = 0; i < m; i++) if (w[i] > 0) {
        s += w[i] * r[i];
        sw += w[i];
      }
      mean = s / sw;
      let worst = -1;
      let worstChi = 3;
      let left = 0;
      for (let i = 0; i < m; i++) if (w[i] > 0) {
        left++;
        const chi = Math.abs(r[i] - mean) * Math.sqrt(w[i]);
        if (chi > worstChi) {
          worstChi = chi;
          worst = i;
        }
      }
      if (worst < 0 || left <= 3) break;
      w[worst] = 0;
    }
    // Trust the result only when at least two lines agree with each other, and a fibre passing under
    // half or over twice the flat's light is contaminated rather than measured.
    let kept = 0;
    let chi2 = 0;
    for (let i = 0; i < m; i++) if (w[i] > 0) {
      kept++;
      chi2 += w[i] * (r[i] - mean) ** 2;
    }
    // Agreement: chi^2 within 4 of its standard deviations of its expectation (dof = kept - 1).
    if (kept < 2 || chi2 > kept - 1 + 4 * Math.sqrt(2 * (kept - 1)) || !(mean > 0.5 && mean < 2)) continue;
    t[f] = mean;
    err[f] = 1 / Math.sqrt(sw);
  }
  const buf = new Float64Array(skyFibres.length);
  let m = 0;
  for (const f of skyFibres) if (lit[f] && Number.isFinite(err[f])) buf[m++] = t[f];
  const norm = m ? medianInPlace(buf, m) : 1;
  let corrected = 0;
  for (let f = 0; f < nFibres; f++) {
    const v = norm > 0 ? t[f] / norm : 1;
    const e = err[f] / (norm > 0 ? norm : 1);
    if (lit[f] && e <= maxError && Math.abs(v - 1) > significance * e) {
      t[f] = v;
      corrected++;
    } else t[f] = 1;
  }
  return { throughput: t, lines: good.length, corrected };
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
