// What the reducer knows about 2dF-AAOmega without looking at a frame (domain notes section 2.2):
// 400 slit positions about 10.2 rows apart from row 5 up, 2048 data columns, 22 overscan columns.
import type { Header } from '../fits/index.js';
import type { Geometry } from './maths/overscan.js';
import { ReducerError } from './errors.js';

export const AAOMEGA = {
  nFibres: 400,
  /** 0-based row of fibre 1 at the detector centre and the slit pitch: a prior for fibre identification only. */
  nominalY0: 4,
  nominalPitch: 10.2,
  overscanWidth: 22,
  /** NORMAL-speed E2V2A values, used when a header lacks RO_GAIN / RO_NOISE. */
  gain: 1.88,
  readNoiseE: 3.61,
} as const;

/**
 * Data and overscan columns of a raw frame: data are columns DETECXS..DETECXE when the header gives
 * them and leaves room for an overscan; otherwise the last 22 columns are the overscan.
 */
export function geometryOf(h: Header, width: number, file: string): Geometry {
  const xs = h.number('DETECXS');
  const xe = h.number('DETECXE');
  let dataX0 = 0;
  let dataWidth = width - AAOMEGA.overscanWidth;
  if (xs !== undefined && xe !== undefined && xe >= xs && xe < width && xe - xs + 1 >= 16) {
    dataX0 = xs - 1;
    dataWidth = xe - xs + 1;
  }
  const biasX0 = dataX0 + dataWidth;
  const biasWidth = width - biasX0;
  if (dataWidth < 16 || biasWidth < 4) throw new ReducerError(`RAW file ${file} is ${width} columns wide: too narrow for data plus an overscan strip`);
  return { dataX0, dataWidth, biasX0, biasWidth };
}

export function gainOf(h: Header): { gain: number; readNoiseE: number } {
  const g = h.number('RO_GAIN');
  const rn = h.number('RO_NOISE');
  return { gain: g && g > 0 ? g : AAOMEGA.gain, readNoiseE: rn && rn > 0 ? rn : AAOMEGA.readNoiseE };
}

/** 1-based inclusive FITS section text, as 2dFdr logs it: (0001:2048,0001:4098). */
export function section(x0: number, w: number, h: number): string {
  const p = (n: number) => String(n).padStart(4, '0');
  return `(${p(x0 + 1)}:${p(x0 + w)},${p(1)}:${p(h)})`;
}
