// Renders one raw CCD frame (data + overscan, unsigned 16-bit) from the truth: light, pixel response, dark,
// cosmic rays, bias and noise. Typed arrays allocated once per frame; no per-pixel objects.
import type { ArmName } from './instrument.js';
import { Random } from './random.js';
import { fibreElectrons, lampShape, wavelengthGrid } from './spectra.js';
import type { ExposureTruth, NightTruth } from './truth.js';

// Module-level aliases: hot loops must not look up globals, which is slow inside vm contexts (jest).
const { sqrt, round, exp, ceil, floor, max, min, cos, sin } = Math;

const FWHM = 2 * sqrt(2 * Math.LN2);
/** Trace light is spread over rows within this many pixels of the centre (4.5 sigma for FWHM 2.6). */
export const PROFILE_HALF_WIDTH_PX = 5;

const prnuMaps = new WeakMap<NightTruth, Partial<Record<ArmName, Float32Array>>>();

/** The arm's fixed pixel-response pattern (1 + prnuSigma * N(0,1) per data pixel), made once per truth. */
function prnuMap(t: NightTruth, arm: ArmName): Float32Array {
  const cached = prnuMaps.get(t)?.[arm];
  if (cached) return cached;
  const map = new Float32Array(t.geometry.dataColumns * t.geometry.naxis2);
  new Random(t.seed, 'prnu', arm).fillNormal(map);
  const s = t.arms[arm].prnuSigma;
  for (let i = 0; i < map.length; i++) map[i] = 1 + s * map[i];
  prnuMaps.set(t, { ...prnuMaps.get(t), [arm]: map });
  return map;
}

/** Adds every lit fibre's spectrum, spread across rows by a normalised Gaussian of the trace FWHM. */
function addTraces(t: NightTruth, e: ExposureTruth, arm: ArmName, elec: Float32Array): boolean {
  const { dataColumns: nc, naxis2: h } = t.geometry;
  const a = t.arms[arm];
  const plate = t.fields[e.field!].plate;
  const inv2s2 = 1 / (2 * (a.traceFwhmPx / FWHM) ** 2);
  const q = exp(-2 * inv2s2);
  const spec = new Float64Array(nc);
  const w = new Float64Array(2 * PROFILE_HALF_WIDTH_PX + 2);
  const { u } = wavelengthGrid(t, arm);
  let lit = false;
  for (let f = 1; f <= a.traces[plate].length; f++) {
    if (!fibreElectrons(t, e, arm, f, spec)) continue;
    lit = true;
    const [c0, c1, c2] = a.traces[plate][f - 1];
    for (let i = 0; i < nc; i++) {
      const v = spec[i];
      if (v === 0) continue;
      const yc = c0 + (c1 + c2 * u[i]) * u[i] - 1; // 0-based row
      const lo = ceil(yc - PROFILE_HALF_WIDTH_PX);
      const hi = floor(yc + PROFILE_HALF_WIDTH_PX);
      // exp(-a d^2) at d = d0, d0 + 1, ...: successive ratios shrink by the constant exp(-2a), so two exp()
      // calls per column replace one per row.
      const d0 = lo - yc;
      let wk = exp(-d0 * d0 * inv2s2);
      let ratio = exp(-(2 * d0 + 1) * inv2s2);
      let sum = 0;
      for (let y = lo; y <= hi; y++) {
        sum += w[y - lo] = wk;
        wk *= ratio;
        ratio *= q;
      }
      const k = v / sum;
      for (let y = max(lo, 0); y <= min(hi, h - 1); y++) elec[y * nc + i] += k * w[y - lo];
    }
  }
  return lit;
}

/** The long-slit flat lights every data pixel smoothly. */
function addLongSlit(t: NightTruth, e: ExposureTruth, arm: ArmName, elec: Float32Array): void {
  const { dataColumns: nc, naxis2: h } = t.geometry;
  const { electronsPerSecondPerPixelAt5500: rate, vignetting } = t.lamps.longSlitFlat;
  const { lambda, u } = wavelengthGrid(t, arm);
  const b = t.arms[arm].blaze;
  const col = new Float64Array(nc);
  for (let i = 0; i < nc; i++) col[i] = rate * e.exposedS * lampShape(lambda[i], t.lamps.flat.temperatureK) * (1 - b * u[i] * u[i]);
  const mid = (h + 1) / 2;
  for (let y = 0; y < h; y++) {
    const v = (y + 1 - mid) / mid;
    const k = 1 - vignetting * v * v;
    for (let i = 0, o = y * nc; i < nc; i++) elec[o + i] = col[i] * k;
  }
}

/**
 * Electrons to ADU with noise, row by row: Poisson noise of the electrons plus read noise as one Gaussian, then
 * the bias; overscan columns get bias and read noise only. A small function of its own so V8 optimises the loop.
 */
function digitize(
  elec: Float32Array, out: Uint16Array, nc: number, w: number, h: number, biasOf: (y: number) => number,
  gain: number, readNoiseE: number, dark: number, rng: Random,
): void {
  const noise = new Float32Array(w);
  const invGain = 1 / gain;
  const invGain2 = invGain * invGain;
  const rnAdu2 = (readNoiseE * invGain) ** 2;
  const rnAdu = sqrt(rnAdu2);
  for (let y = 0; y < h; y++) {
    rng.fillNormal(noise);
    const bias = biasOf(y);
    const row = y * w;
    const erow = y * nc;
    for (let x = 0; x < nc; x++) {
      const el = elec[erow + x] + dark;
      const adu = bias + el * invGain + sqrt((el > 0 ? el : 0) * invGain2 + rnAdu2) * noise[x];
      out[row + x] = adu <= 0 ? 0 : adu >= 65535 ? 65535 : (adu + 0.5) | 0;
    }
    for (let x = nc; x < w; x++) {
      const adu = bias + rnAdu * noise[x];
      out[row + x] = adu <= 0 ? 0 : (adu + 0.5) | 0;
    }
  }
}

/** Renders exposure `e` on `arm` as NAXIS1 x NAXIS2 unsigned 16-bit ADU (row-major). */
export function renderFrame(t: NightTruth, e: ExposureTruth, arm: ArmName): Uint16Array {
  const { dataColumns: nc, naxis1: w, naxis2: h } = t.geometry;
  const a = t.arms[arm];
  const elec = new Float32Array(nc * h);
  let lit = false;
  if (e.ndfClass === 'LFLAT') {
    addLongSlit(t, e, arm, elec);
    lit = true;
  } else if (e.field !== null) lit = addTraces(t, e, arm, elec);
  if (lit) {
    const prnu = prnuMap(t, arm);
    for (let i = 0; i < elec.length; i++) elec[i] *= prnu[i];
  }
  for (const [x, y, rate] of a.hotPixels) elec[(y - 1) * nc + (x - 1)] += rate * e.exposedS;
  for (const [x, y, len, angle, electrons] of e.cosmicRays[arm]) {
    for (let k = 0; k < len; k++) {
      const px = round(x + k * cos(angle));
      const py = round(y + k * sin(angle));
      if (px >= 1 && px <= nc && py >= 1 && py <= h) elec[(py - 1) * nc + (px - 1)] += electrons / len;
    }
  }
  const out = new Uint16Array(w * h);
  const bias = (y: number) => a.biasAdu + (a.biasRowSlopeAdu * y) / (h - 1) + e.biasOffsetAdu[arm];
  digitize(elec, out, nc, w, h, bias, a.gain, a.readNoiseElectrons, a.darkElectronsPerSecond * e.exposedS, new Random(t.seed, 'noise', e.run, arm));
  return out;
}
