// The truth file of a simulated night (drsoda-truth.json): everything the frames were made from, so tests of the
// reducer can compare against it. Format documented in docs/simulator.md; pure types.
import type { EmissionLine } from './lines.js';
import type { ArmName, Geometry, SimSize } from './instrument.js';
import type { FrameClass } from './plan.js';

export type FibreType = 'P' | 'S' | 'F' | 'N' | 'U';

export interface ArmTruth {
  arm: ArmName;
  ccd: 1 | 2;
  spectId: 'BL' | 'RD';
  detector: string;
  gratId: string;
  lambdaCAngstrom: number;
  /** Central dispersion of this size's pixels (header DISPERS). */
  dispersionAngstromPerPx: number;
  /** Air wavelength (Angstrom) at 1-based data column x: sum c[k] u^k, u = (x - xCentre) / halfWidth. */
  wavelengthCoeffs: number[];
  gain: number;
  readNoiseElectrons: number;
  biasAdu: number;
  /** Bias rises linearly by this much from row 1 to the last row (same in data and overscan columns). */
  biasRowSlopeAdu: number;
  darkElectronsPerSecond: number;
  /** [x, y, electrons per second] of hot pixels (1-based). */
  hotPixels: number[][];
  /** Gaussian pixel-response non-uniformity (relative sigma), applied to light only. */
  prnuSigma: number;
  traceFwhmPx: number;
  lineFwhmPx: number;
  /** Spectrograph response B(u) = 1 - blaze u^2. */
  blaze: number;
  /** [plate][fibre - 1]: trace centre row (1-based) = sum c[k] u^k. */
  traces: number[][][];
  /** [plate][fibre - 1]: relative fibre throughput (0 for guide and broken fibres). */
  throughput: number[][];
}

export interface ObjectSpectrum {
  /** Continuum in electrons per second per Angstrom at 5500 Angstrom (observed frame), before throughput and response. */
  continuumAt5500: number;
  /** Power-law slope: continuum * (lambda / 5500)^slope. */
  slope: number;
  /** Continuum factor blueward of the 4000 Angstrom break (rest frame), smoothed with tanh over 40 Angstrom. */
  break4000: number;
  redshift: number;
  lines: { species: string; restAngstrom: number; observedAngstrom: number; fluxElectronsPerSecond: number; sigmaAngstrom: number }[];
}

export interface FibreTruth {
  fibre: number;
  type: FibreType;
  name: string;
  pivot: number;
  raDeg: number;
  decDeg: number;
  magnitude: number | null;
  /** Programme (P) fibres only. */
  spectrum?: ObjectSpectrum;
}

export interface FieldTruth {
  index: number;
  name: string;
  plate: 0 | 1;
  cfgFile: string;
  centreRaDeg: number;
  centreDecDeg: number;
  configuredMjd: number;
  fibres: FibreTruth[];
}

export interface ExposureTruth {
  run: number;
  ndfClass: FrameClass;
  field: number | null;
  object: string;
  utStart: string;
  utStartS: number;
  exposedS: number;
  mjd: number;
  /** Paths relative to the night directory. */
  files: Record<ArmName, string>;
  biasOffsetAdu: Record<ArmName, number>;
  /** [x, y, lengthPx, angleRad, electrons]: pixels round(x + k cos a), round(y + k sin a), k < length, each get electrons / length. */
  cosmicRays: Record<ArmName, number[][]>;
}

export interface NightTruth {
  format: 'drsoda-simulator-truth';
  version: 1;
  night: string;
  seed: number;
  size: SimSize;
  geometry: Geometry;
  xCentre: number;
  halfWidth: number;
  /** Every light source is multiplied by this (1 full, 1/8 small so small frames do not saturate). */
  fluxScale: number;
  arms: Record<ArmName, ArmTruth>;
  lamps: {
    /** Quartz lamp for fibre flats: a * Planck(lambda, T) / Planck(5500, T) electrons/s/Angstrom. */
    flat: { electronsPerSecondPerAngstromAt5500: number; temperatureK: number };
    /** Long-slit flat: rate * lampShape(lambda) * B(u) * (1 - vignetting v^2) electrons/s/pixel, v = (y - yMid) / yMid. */
    longSlitFlat: { electronsPerSecondPerPixelAt5500: number; vignetting: number };
    /** Arc line flux = intensity * electronsPerSecondPerUnit. */
    arc: { lamp: string; electronsPerSecondPerUnit: number; lines: EmissionLine[] };
  };
  sky: { continuumAt5500: number; slope: number; lines: EmissionLine[] };
  fields: FieldTruth[];
  exposures: ExposureTruth[];
}
