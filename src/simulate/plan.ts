// Options of a simulated night and its observing plan: which exposures, in which order, at which UT; pure.
import type { SimSize } from './instrument.js';

/** Options the simulator refuses (bad date, out-of-range count, a night too full); the message names the option. */
export class SimulateOptionsError extends Error {
  override name = 'SimulateOptionsError';
}

export type FrameClass = 'BIAS' | 'DARK' | 'LFLAT' | 'MFFFF' | 'MFARC' | 'MFOBJECT';

export interface SimulateOptions {
  /** Archive root; the night goes to outDir/YYMMDD/ccd_1 and ccd_2. */
  outDir: string;
  /** UT date YYYY-MM-DD (at the AAT one local night is 08-20 UT on a single date). */
  night: string;
  /** 2dF fields (configurations), alternating plates 0 and 1; default 2. */
  fields?: number;
  /** Object exposures per field; default 3. */
  objects?: number;
  size?: SimSize;
  seed?: number;
  biases?: number;
  darks?: number;
  lflats?: number;
  /** Object (and dark) exposure time in seconds; default 1200. */
  objectExposureS?: number;
  /** Worker threads rendering frames; 0 renders in this thread. Default: available cores. */
  concurrency?: number;
}

export type ResolvedOptions = Required<Omit<SimulateOptions, 'concurrency'>> & { concurrency: number | undefined };

export interface PlannedExposure {
  run: number;
  ndfClass: FrameClass;
  /** 0-based index into the night's fields; null for detector calibrations. */
  field: number | null;
  /** Seconds after 00:00 UT of the night's date. */
  utStartS: number;
  exposedS: number;
}

const READOUT_S = 90; // ten 0-s biases take ~15 min (domain notes 2.2)
const LAMP_S = 30; // lamp warm-up / flap moves before flats and arcs
const SLEW_S = 360; // slew and acquisition between fields (the next plate is configured meanwhile)
export const CALIBRATION_START_S = 5.5 * 3600; // afternoon calibrations from 15:30 local (05:30 UT)
export const SCIENCE_START_S = 8 * 3600 + 40 * 60; // after evening twilight
export const DAWN_S = 20 * 3600;
export const FLAT_EXPOSURE_S = 35;
export const ARC_EXPOSURE_S = 45;
export const LFLAT_EXPOSURE_S = 20;

function int(name: string, v: number | undefined, dflt: number, lo: number, hi: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < lo || n > hi) throw new SimulateOptionsError(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  return n;
}

/** Validates and fills in defaults. Throws SimulateOptionsError naming the bad option. */
export function resolveOptions(o: SimulateOptions): ResolvedOptions {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(o.night ?? '');
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== o.night) throw new SimulateOptionsError(`night must be a date YYYY-MM-DD, got ${JSON.stringify(o.night)}`);
  if (Number(m[1]) < 2006 || Number(m[1]) > 2099) throw new SimulateOptionsError('night must be between 2006 (AAOmega) and 2099');
  const size = o.size ?? 'full';
  if (size !== 'full' && size !== 'small') throw new SimulateOptionsError(`size must be full or small, got ${JSON.stringify(size)}`);
  if (!o.outDir) throw new SimulateOptionsError('an output directory is required');
  const concurrency = o.concurrency === undefined ? undefined : int('concurrency', o.concurrency, 0, 0, 64);
  return {
    outDir: o.outDir,
    night: o.night,
    size,
    fields: int('fields', o.fields, 2, 0, 30),
    objects: int('objects', o.objects, 3, 1, 20),
    seed: int('seed', o.seed, 1, 0, 2 ** 32 - 1),
    biases: int('biases', o.biases, 5, 0, 50),
    darks: int('darks', o.darks, 3, 0, 20),
    lflats: int('lflats', o.lflats, 3, 0, 20),
    objectExposureS: int('objectExposureS', o.objectExposureS, 1200, 1, 7200),
    concurrency,
  };
}

/**
 * The night's exposures in run order: biases, darks and long-slit flats in the afternoon, then per field a
 * fibre flat, an arc and the object exposures (DEVILS/SAGA order). Throws SimulateOptionsError when it runs past dawn.
 */
export function planNight(o: ResolvedOptions): PlannedExposure[] {
  const out: PlannedExposure[] = [];
  let t = CALIBRATION_START_S;
  const add = (ndfClass: FrameClass, exposedS: number, field: number | null, overhead: number) => {
    out.push({ run: out.length + 1, ndfClass, field, utStartS: t, exposedS });
    t += exposedS + overhead;
  };
  for (let i = 0; i < o.biases; i++) add('BIAS', 0, null, READOUT_S);
  for (let i = 0; i < o.darks; i++) add('DARK', o.objectExposureS, null, READOUT_S);
  for (let i = 0; i < o.lflats; i++) add('LFLAT', LFLAT_EXPOSURE_S, null, READOUT_S + LAMP_S);
  t = Math.max(t, SCIENCE_START_S);
  for (let f = 0; f < o.fields; f++) {
    if (f > 0) t += SLEW_S;
    add('MFFFF', FLAT_EXPOSURE_S, f, READOUT_S + LAMP_S);
    add('MFARC', ARC_EXPOSURE_S, f, READOUT_S + LAMP_S);
    for (let k = 0; k < o.objects; k++) add('MFOBJECT', o.objectExposureS, f, READOUT_S);
  }
  const last = out[out.length - 1];
  if (last && last.utStartS + last.exposedS > DAWN_S) {
    throw new SimulateOptionsError(`${o.fields} fields of ${o.objects} x ${o.objectExposureS} s do not fit in one night (08:40-20:00 UT); use fewer fields or objects`);
  }
  return out;
}
