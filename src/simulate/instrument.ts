// The simulated AAOmega: detector geometry per size, the two arms (580V blue, 385R red) and their optical models.
// Numbers follow ../shared/docs/2dfdr-domain-notes.md sections 2.2, 2.3 and 8.

export type SimSize = 'full' | 'small';
export type ArmName = 'blue' | 'red';

export interface Geometry {
  size: SimSize;
  /** Data columns (spectral pixels), 1..dataColumns. */
  dataColumns: number;
  /** Overscan columns dataColumns+1..naxis1 (bias only). */
  overscanColumns: number;
  naxis1: number;
  naxis2: number;
  /** Full-size spectral pixels per simulated pixel (1 full, 8 small). */
  binning: number;
}

export function geometryFor(size: SimSize): Geometry {
  // small keeps all 4098 rows (so the 400 traces and their geometry are real) but 1/8 of the columns.
  const dataColumns = size === 'full' ? 2048 : 256;
  const overscanColumns = size === 'full' ? 22 : 16;
  return { size, dataColumns, overscanColumns, naxis1: dataColumns + overscanColumns, naxis2: 4098, binning: 2048 / dataColumns };
}

export interface ArmModel {
  arm: ArmName;
  ccd: 1 | 2;
  spectId: 'BL' | 'RD';
  detector: string;
  gratId: string;
  gratLpmm: number;
  lambdaCAngstrom: number;
  /** Full-size central dispersion (Angstrom per pixel). */
  dispersionFull: number;
  /** lambda(u) = sum wavelength[k] * u^k with u = (x - xc) / halfWidth: these are the u^2 and u^3 terms (Angstrom). */
  wavelengthU2: number;
  wavelengthU3: number;
  gain: number;
  readNoiseE: number;
  biasAdu: number;
  /** Trace model terms (pixels): y = y0 + tilt u + (curvature + smile * s) u^2, s = (y0 - 2049) / 2049. */
  tilt: number;
  curvature: number;
  smile: number;
  /** Row offset of the whole slit image on this CCD. */
  rowOffset: number;
  /** Blaze/response: 1 - blaze * u^2. */
  blaze: number;
}

export const arms: Record<ArmName, ArmModel> = {
  blue: {
    arm: 'blue', ccd: 1, spectId: 'BL', detector: 'E2V2A', gratId: '580V', gratLpmm: 582,
    lambdaCAngstrom: 4800, dispersionFull: 1.04, wavelengthU2: -3.1, wavelengthU3: 1.2,
    gain: 1.88, readNoiseE: 3.61, biasAdu: 262,
    tilt: 0.6, curvature: 1.4, smile: -2.2, rowOffset: 0, blaze: 0.35,
  },
  red: {
    arm: 'red', ccd: 2, spectId: 'RD', detector: 'E2V3A', gratId: '385R', gratLpmm: 385,
    lambdaCAngstrom: 7250, dispersionFull: 1.6, wavelengthU2: -4.4, wavelengthU3: 1.7,
    gain: 1.74, readNoiseE: 3.35, biasAdu: 231,
    tilt: -0.4, curvature: 1.1, smile: -1.8, rowOffset: 0.45, blaze: 0.28,
  },
};

export const armNames: ArmName[] = ['blue', 'red'];

/** Nominal trace FWHM across the slit direction (pixels), from the KOALA log's MWIDTH ~2.6. */
export const TRACE_FWHM_PX = 2.6;
/** Arc and sky line FWHM along the dispersion (pixels): R ~ 1300 for 580V/385R is ~3.5 full-size pixels; small frames are kept at 2.2 px so lines stay resolved. */
export const lineFwhmPx = (g: Geometry) => (g.size === 'full' ? 3.5 : 2.2);

/** Pixel coordinates are 1-based FITS coordinates throughout the truth file. */
export function xCentre(g: Geometry): number {
  return (g.dataColumns + 1) / 2;
}

export function halfWidth(g: Geometry): number {
  return g.dataColumns / 2;
}

/** Wavelength polynomial coefficients in u (Angstrom), identical for full and small frames. */
export function wavelengthCoeffs(a: ArmModel): number[] {
  return [a.lambdaCAngstrom, a.dispersionFull * 1024, a.wavelengthU2, a.wavelengthU3];
}

/** Central dispersion of this geometry's pixels. */
export function dispersion(a: ArmModel, g: Geometry): number {
  return (a.dispersionFull * 1024) / halfWidth(g);
}

export function polyval(c: readonly number[], u: number): number {
  let v = 0;
  for (let k = c.length - 1; k >= 0; k--) v = v * u + c[k];
  return v;
}

export function polyderiv(c: readonly number[], u: number): number {
  let v = 0;
  for (let k = c.length - 1; k >= 1; k--) v = v * u + k * c[k];
  return v;
}

/** Trace y-centre coefficients in u for slit fibre f (1-based), given the per-fibre jitter and plate offset. */
export function traceCoeffs(a: ArmModel, fibre: number, jitter: number, plateOffset: number): number[] {
  const y0 = 5 + 10.2 * (fibre - 1) + a.rowOffset + plateOffset + jitter;
  const s = (y0 - 2049) / 2049;
  return [y0, a.tilt, a.curvature + a.smile * s];
}
