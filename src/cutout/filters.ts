// The two SODA filters a cut applies to a product: a sky region over the fibres' targets and a wavelength band.
import type { Region } from './geometry.js';

/** The answer formats of a cut (SODA RESPONSEFORMAT). */
export type CutFormat = 'application/fits' | 'application/x-votable+xml';

export interface SpatialFilter {
  /** The parameter it came from and its value as sent (for result descriptions). */
  param: 'POS' | 'CIRCLE' | 'POLYGON';
  value: string;
  region: Region;
}

export interface BandFilter {
  value: string;
  /** Wavelength interval in metres (open ends are infinite). */
  metres: [number, number];
}
