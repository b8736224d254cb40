// What a SODA cut keeps of a reduced product: the fibre rows whose targets lie in the region, and the wavelength
// pixels inside the band, clipped to the data (SODA 1.0 section 3.3: "best possible match"); pure.
import { regionTest, type Region } from './geometry.js';

/** A linear wavelength axis: pixel i (0-based) is at startAngstrom + i * stepAngstrom. */
export interface WavelengthAxis {
  startAngstrom: number;
  stepAngstrom: number;
  n: number;
}

export interface FibreRow {
  raRad: number | null;
  decRad: number | null;
  /** 2dF fibre type: U (unallocated, parked) and N (not in use) fibres have no target. */
  type?: string;
}

const untargeted = new Set(['U', 'N']);

/** The linear axis of a header's CRVAL1/CDELT1/CRPIX1 (Angstrom), or null when absent or degenerate. */
export function wavelengthAxis(h: { number(key: string): number | undefined }, n: number): WavelengthAxis | null {
  const crval = h.number('CRVAL1');
  const cdelt = h.number('CDELT1');
  const crpix = h.number('CRPIX1');
  if (crval === undefined || cdelt === undefined || crpix === undefined || !Number.isFinite(cdelt) || cdelt === 0 || n < 1) return null;
  return { startAngstrom: crval - (crpix - 1) * cdelt, stepAngstrom: cdelt, n };
}

export const wavelengthAt = (a: WavelengthAxis, i: number) => a.startAngstrom + i * a.stepAngstrom;

/** The axis' coverage [min, max] in Angstrom, pixel centres. */
export function coverageAngstrom(a: WavelengthAxis): [number, number] {
  const x = wavelengthAt(a, 0);
  const y = wavelengthAt(a, a.n - 1);
  return x <= y ? [x, y] : [y, x];
}

/**
 * Pixel range [first, last] (0-based, inclusive) whose centres lie in the band (metres), or null for no overlap.
 * A band narrower than a pixel (SODA's "550 550" single value) gives the one pixel nearest its middle when
 * that lies on the detector (within half a pixel of the first or last centre).
 */
export function bandPixels(a: WavelengthAxis, bandMetres: readonly [number, number]): [number, number] | null {
  const lo = bandMetres[0] * 1e10;
  const hi = bandMetres[1] * 1e10;
  // Pixel coordinates of the band edges; a hair of tolerance keeps an edge that equals a pixel centre inside.
  const eps = 1e-6;
  const p = (w: number) => (w - a.startAngstrom) / a.stepAngstrom;
  const [pLo, pHi] = a.stepAngstrom > 0 ? [p(lo), p(hi)] : [p(hi), p(lo)];
  let first = Number.isFinite(pLo) ? Math.ceil(pLo - eps) : pLo < 0 ? 0 : a.n;
  let last = Number.isFinite(pHi) ? Math.floor(pHi + eps) : pHi > 0 ? a.n - 1 : -1;
  first = Math.max(first, 0);
  last = Math.min(last, a.n - 1);
  if (first <= last) return [first, last];
  const mid = Number.isFinite(pLo) && Number.isFinite(pHi) ? Math.round((pLo + pHi) / 2) : NaN;
  // Nothing centred inside: a sub-pixel band on the detector gives its nearest pixel, anything else no data.
  if (Number.isFinite(pLo) && Number.isFinite(pHi) && pHi - pLo < 1 && pHi >= -0.5 && pLo <= a.n - 0.5 && mid >= 0 && mid < a.n) return [mid, mid];
  return null;
}

/**
 * Rows (0-based, ascending) whose target lies inside the region. Rows without a position never do, nor do
 * unallocated and unused fibres: 2dF writes the field centre as their position, which is no target.
 */
export function fibresInside(rows: readonly FibreRow[], region: Region): number[] {
  const inside = regionTest(region);
  const deg = 180 / Math.PI;
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (r.raRad === null || r.decRad === null || !Number.isFinite(r.raRad) || !Number.isFinite(r.decRad)) return;
    if (r.type !== undefined && untargeted.has(r.type.trim().toUpperCase())) return;
    if (inside(r.raRad * deg, r.decRad * deg)) out.push(i);
  });
  return out;
}

/** Why a combination gave nothing: the SODA "no data" answer (sync 204, async a text/plain result). */
export class NoOverlap extends Error {
  override name = 'NoOverlap';
}

/** What to keep of one product: rows (null = all) and a pixel range (null = all). */
export interface CutSelection {
  rows: number[] | null;
  pixels: [number, number] | null;
}
