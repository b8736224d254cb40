// Tramline tracing: where each of the slit's fibres runs across a fibre-flat image (the make_tlm step).
import { logParabolaPeak, FWHM_PER_SIGMA, type PeakEstimate } from './gaussian.js';
import { fitPolyClipped, evalPoly } from './polyfit.js';
import { medianInPlace, select } from './stats.js';

/** What the fibre table says about each slit position before looking at the image. */
export const Expect = { Dark: 0, Lit: 1, Either: 2 } as const;

export interface TraceOptions {
  nFibres: number;
  /** Per fibre (slit order); Dark for guide (F) and broken (N) fibres. Default: all Either. */
  expected?: Uint8Array;
  /** Rough 0-based row of fibre 1 and the slit pitch (rows per fibre) of the instrument: a weak prior. */
  nominalY0: number;
  nominalPitch: number;
  /** Columns averaged per tracing step. */
  block: number;
  /** Degree of the polynomial y(x) of each trace. */
  degree: number;
}

export interface TraceResult {
  /** nFibres x width, row-major: 1-based (FITS) row of each fibre's centre at each column, as in 2dFdr's tlm.fits. */
  centres: Float32Array;
  /** Per fibre: intrinsic Gaussian sigma (rows) of the cross-section, the pixel width removed. */
  sigma: Float32Array;
  /** Per fibre: 1 if traced from its own light, 0 if placed between its neighbours. */
  traced: Uint8Array;
  pitch: number;
  /** Median FWHM (rows) of the traced fibres (2dFdr's MWIDTH). */
  mwidth: number;
}

/** Thrown when the image does not look like a fibre flat at all. */
export class TraceError extends Error {
  override name = 'TraceError';
}

interface BlockStats {
  prof: Float32Array;
  bg: Float64Array;
  noise: Float64Array;
  xc: Float64Array;
}

/** Column-averaged profiles along y for blocks of `block` columns, with each block's background and noise. */
function blockProfiles(image: Float32Array, width: number, height: number, block: number): BlockStats {
  const nb = Math.ceil(width / block);
  const prof = new Float32Array(nb * height);
  const count = new Uint16Array(nb * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = image[row + x];
      if (v !== v) continue;
      const k = ((x / block) | 0) * height + y;
      prof[k] += v;
      count[k]++;
    }
  }
  for (let i = 0; i < prof.length; i++) prof[i] = count[i] ? prof[i] / count[i] : 0;
  const bg = new Float64Array(nb);
  const noise = new Float64Array(nb);
  const xc = new Float64Array(nb);
  const buf = new Float64Array(height);
  for (let b = 0; b < nb; b++) {
    for (let y = 0; y < height; y++) buf[y] = prof[b * height + y];
    // Fibres fill under a third of the rows: the 20th percentile is inter-fibre background, and the
    // spread of the lowest 40% of rows is its noise.
    const n40 = Math.floor(0.4 * height);
    select(buf, height, n40);
    const lows = buf.subarray(0, n40);
    const b20 = select(lows, n40, Math.floor(0.5 * n40));
    bg[b] = b20;
    for (let i = 0; i < n40; i++) lows[i] = Math.abs(lows[i] - b20);
    noise[b] = Math.max(1.4826 * medianInPlace(lows, n40), 1e-6);
    xc[b] = Math.min(width - 1, b * block + (block - 1) / 2);
  }
  return { prof, bg, noise, xc };
}

/** Sub-row peaks of one profile above threshold, at least minSep apart (the higher wins). */
function findPeaks(p: Float32Array, off: number, n: number, bg: number, threshold: number, minSep: number): number[] {
  const est: PeakEstimate = { offset: 0, sigma: 0 };
  const peaks: { y: number; h: number }[] = [];
  for (let y = 1; y < n - 1; y++) {
    const v = p[off + y];
    if (v - bg < threshold || !(v > p[off + y - 1] && v >= p[off + y + 1])) continue;
    if (!logParabolaPeak(p[off + y - 1] - bg, v - bg, p[off + y + 1] - bg, est)) continue;
    const last = peaks[peaks.length - 1];
    const yc = y + est.offset;
    if (last && yc - last.y < minSep) {
      if (v > last.h) peaks[peaks.length - 1] = { y: yc, h: v };
      continue;
    }
    peaks.push({ y: yc, h: v });
  }
  return peaks.map((q) => q.y);
}

/**
 * Assigns slit positions to the peaks found across the centre: gaps are counted in pitches, and the
 * absolute offset is the one that puts no peak on a fibre the table calls dark and leaves no lit fibre
 * without a peak, ties broken by closeness to the nominal slit geometry.
 */
function assignFibres(peaks: number[], pitch: number, o: TraceOptions): number[] {
  const rel = [0];
  for (let j = 1; j < peaks.length; j++) rel.push(rel[j - 1] + Math.max(1, Math.round((peaks[j] - peaks[j - 1]) / pitch)));
  const span = rel[rel.length - 1];
  if (span >= o.nFibres) throw new TraceError(`found ${peaks.length} traces spanning ${span + 1} slit positions, more than the ${o.nFibres} fibres`);
  let best = { k: 0, score: Infinity };
  const offs = new Float64Array(peaks.length);
  for (let k = 0; k + span < o.nFibres; k++) {
    let bad = 0;
    if (o.expected) {
      const hit = new Uint8Array(o.nFibres);
      for (const r of rel) {
        hit[r + k] = 1;
        if (o.expected[r + k] === Expect.Dark) bad++;
      }
      for (let f = 0; f < o.nFibres; f++) if (o.expected[f] === Expect.Lit && !hit[f]) bad++;
    }
    for (let j = 0; j < peaks.length; j++) offs[j] = peaks[j] - (o.nominalY0 + o.nominalPitch * (rel[j] + k));
    const prior = Math.abs(medianInPlace(offs, peaks.length)) / pitch;
    const score = bad * 1000 + prior;
    if (score < best.score) best = { k, score };
  }
  return rel.map((r) => r + best.k);
}

/** Traces every fibre on a fibre-flat image (width x height, row-major, background ~0). */
export function traceFibres(image: Float32Array, width: number, height: number, o: TraceOptions): TraceResult {
  const bs = blockProfiles(image, width, height, o.block);
  const nb = bs.xc.length;
  const cb = nb >> 1;
  // Centre profile: the mean of up to three central blocks.
  const centre = new Float32Array(height);
  const cbs = [cb - 1, cb, cb + 1].filter((b) => b >= 0 && b < nb);
  let cbg = 0;
  let cnoise = 0;
  for (const b of cbs) {
    for (let y = 0; y < height; y++) centre[y] += bs.prof[b * height + y] / cbs.length;
    cbg += bs.bg[b] / cbs.length;
    cnoise += bs.noise[b] / cbs.length;
  }
  // Threshold: a tenth of the typical (90th percentile) peak height, and well above the noise.
  const heights = new Float64Array(height);
  let nh = 0;
  for (let y = 1; y < height - 1; y++) if (centre[y] > centre[y - 1] && centre[y] >= centre[y + 1]) heights[nh++] = centre[y] - cbg;
  const typical = nh ? select(heights, nh, Math.floor(0.9 * nh)) : 0;
  const threshold = Math.max(0.1 * typical, 8 * cnoise);
  const peaks = findPeaks(centre, 0, height, cbg, threshold, 0.5 * o.nominalPitch);
  if (peaks.length < 3) throw new TraceError(`found only ${peaks.length} fibre traces: the frame does not look like a fibre flat`);
  const gaps = new Float64Array(peaks.length - 1);
  let ng = 0;
  for (let j = 1; j < peaks.length; j++) {
    const g = peaks[j] - peaks[j - 1];
    if (g > 0.5 * o.nominalPitch && g < 1.5 * o.nominalPitch) gaps[ng++] = g;
  }
  const pitch = ng ? medianInPlace(gaps, ng) : o.nominalPitch;
  const fibreOf = assignFibres(peaks, pitch, o);

  const centres = new Float32Array(o.nFibres * width);
  const sigma = new Float32Array(o.nFibres);
  const traced = new Uint8Array(o.nFibres);
  const xs = new Float64Array(nb);
  const ys = new Float64Array(nb);
  const ss = new Float64Array(nb);
  const est: PeakEstimate = { offset: 0, sigma: 0 };
  for (let j = 0; j < peaks.length; j++) {
    const f = fibreOf[j];
    let n = 0;
    // Walk out from the centre in both directions, each step predicted by the last good one.
    for (const dir of [1, -1]) {
      let pred = peaks[j];
      for (let b = dir > 0 ? cb : cb - 1; b >= 0 && b < nb; b += dir) {
        const off = b * height;
        const i0 = Math.round(pred);
        let m = -1;
        for (let y = Math.max(1, i0 - 2); y <= Math.min(height - 2, i0 + 2); y++) if (m < 0 || bs.prof[off + y] > bs.prof[off + m]) m = y;
        if (m < 0) continue;
        const bg = bs.bg[b];
        const amp = bs.prof[off + m] - bg;
        if (amp < 5 * bs.noise[b]) continue;
        if (!logParabolaPeak(bs.prof[off + m - 1] - bg, amp, bs.prof[off + m + 1] - bg, est)) continue;
        const yc = m + est.offset;
        if (Math.abs(yc - pred) > 1.5) continue;
        xs[n] = bs.xc[b];
        ys[n] = yc;
        ss[n] = est.sigma;
        n++;
        pred = yc;
      }
    }
    if (n < o.degree + 3) continue;
    const fit = fitPolyClipped(xs, ys, n, o.degree, 3, 5);
    if (!fit) continue;
    for (let x = 0; x < width; x++) centres[f * width + x] = evalPoly(fit.poly, x) + 1;
    let ns = 0;
    for (let i = 0; i < n; i++) if (fit.mask[i] && Number.isFinite(ss[i])) ss[ns++] = ss[i];
    // The log-parabola sees the pixel-integrated profile, whose variance is sigma^2 + 1/12.
    const s = ns ? medianInPlace(ss, ns) : NaN;
    sigma[f] = Number.isFinite(s) ? Math.sqrt(Math.max(s * s - 1 / 12, 0.09)) : NaN;
    traced[f] = 1;
  }
  const tracedCount = traced.reduce((a, b) => a + b, 0);
  if (tracedCount < 2) throw new TraceError('fewer than two fibres could be traced across the frame');
  const sig = new Float64Array(tracedCount);
  let k = 0;
  for (let f = 0; f < o.nFibres; f++) if (traced[f] && Number.isFinite(sigma[f])) sig[k++] = sigma[f];
  const medSigma = k ? medianInPlace(sig, k) : 1;
  fillUntraced(centres, sigma, traced, o.nFibres, width, pitch, medSigma);
  return { centres, sigma, traced, pitch, mwidth: medSigma * FWHM_PER_SIGMA };
}

/** Places fibres without light (guide, broken) between their traced neighbours, or a pitch beyond the last. */
function fillUntraced(centres: Float32Array, sigma: Float32Array, traced: Uint8Array, nF: number, width: number, pitch: number, medSigma: number): void {
  const tracedIdx: number[] = [];
  for (let f = 0; f < nF; f++) if (traced[f]) tracedIdx.push(f);
  for (let f = 0; f < nF; f++) {
    if (traced[f]) continue;
    sigma[f] = medSigma;
    let a = -1;
    let b = -1;
    for (const t of tracedIdx) {
      if (t < f) a = t;
      else if (b < 0) b = t;
    }
    for (let x = 0; x < width; x++) {
      let v: number;
      if (a >= 0 && b >= 0) v = centres[a * width + x] + ((f - a) / (b - a)) * (centres[b * width + x] - centres[a * width + x]);
      else if (a >= 0) v = centres[a * width + x] + (f - a) * pitch;
      else v = centres[b * width + x] - (b - f) * pitch;
      centres[f * width + x] = v;
    }
  }
}
