// The light each fibre puts on the detector, per data column, before noise: the model the truth file documents.
// Exported so reducer tests can compute the exact expected counts of any fibre in any frame.
import { polyderiv, polyval, type ArmName } from './instrument.js';
import type { EmissionLine } from './lines.js';
import type { ExposureTruth, NightTruth, ObjectSpectrum } from './truth.js';

// Module-level aliases: hot loops must not look up globals, which is slow inside vm contexts (jest).
const { abs, exp, tanh, hypot, round, ceil, max, min, sqrt, expm1 } = Math;

const FWHM = 2 * sqrt(2 * Math.LN2);
const SQRT1_2 = Math.SQRT1_2;
const HC_K = 1.438777e8; // h c / k in Angstrom Kelvin

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = abs(z) * SQRT1_2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Quartz lamp shape: Planck(lambda, T) / Planck(5500, T). */
export function lampShape(lambda: number, temperatureK: number): number {
  return (5500 / lambda) ** 5 * (expm1(HC_K / (5500 * temperatureK)) / expm1(HC_K / (lambda * temperatureK)));
}

export function objectContinuum(s: ObjectSpectrum, lambda: number): number {
  const rest = lambda / (1 + s.redshift);
  const step = 0.5 * (1 + tanh((rest - 4000) / 40)); // 0 blueward of the break, 1 redward
  return s.continuumAt5500 * (lambda / 5500) ** s.slope * (s.break4000 + (1 - s.break4000) * step);
}

export interface WavelengthGrid {
  lambda: Float64Array;
  dlambda: Float64Array;
  u: Float64Array;
  /** Per column, common to every fibre: B(u) |dlambda/dx|, the flat lamp S(lambda) and the sky continuum S(lambda). */
  response: Float64Array;
  lamp: Float64Array;
  skyContinuum: Float64Array;
}

const grids = new WeakMap<NightTruth, Partial<Record<ArmName, WavelengthGrid>>>();

/** Wavelength grid of an arm: lambda and |d lambda / dx| at every 1-based data column (cached per truth). */
export function wavelengthGrid(t: NightTruth, arm: ArmName): WavelengthGrid {
  const cached = grids.get(t)?.[arm];
  if (cached) return cached;
  const grid = computeGrid(t, arm);
  grids.set(t, { ...grids.get(t), [arm]: grid });
  return grid;
}

function computeGrid(t: NightTruth, arm: ArmName): WavelengthGrid {
  const n = t.geometry.dataColumns;
  const c = t.arms[arm].wavelengthCoeffs;
  const lambda = new Float64Array(n);
  const dlambda = new Float64Array(n);
  const u = new Float64Array(n);
  const response = new Float64Array(n);
  const lamp = new Float64Array(n);
  const skyContinuum = new Float64Array(n);
  const b = t.arms[arm].blaze;
  for (let i = 0; i < n; i++) {
    u[i] = (i + 1 - t.xCentre) / t.halfWidth;
    lambda[i] = polyval(c, u[i]);
    dlambda[i] = abs(polyderiv(c, u[i])) / t.halfWidth;
    response[i] = (1 - b * u[i] * u[i]) * dlambda[i];
    lamp[i] = t.lamps.flat.electronsPerSecondPerAngstromAt5500 * lampShape(lambda[i], t.lamps.flat.temperatureK);
    skyContinuum[i] = t.sky.continuumAt5500 * (lambda[i] / 5500) ** t.sky.slope;
  }
  return { lambda, dlambda, u, response, lamp, skyContinuum };
}

/** 1-based column where the arm's wavelength solution reaches lambda (Newton iterations from the linear guess). */
export function columnOf(t: NightTruth, arm: ArmName, lambda: number): number {
  const c = t.arms[arm].wavelengthCoeffs;
  let u = (lambda - c[0]) / c[1];
  for (let k = 0; k < 8; k++) u -= (polyval(c, u) - lambda) / polyderiv(c, u);
  return t.xCentre + u * t.halfWidth;
}

/** Adds lines (total electrons = flux * scale) with Gaussian profiles integrated over each column. */
function addLines(t: NightTruth, arm: ArmName, out: Float64Array, lines: Iterable<{ lambda: number; flux: number; sigmaAngstrom: number }>, scale: number, u: Float64Array, dl: Float64Array): void {
  const n = out.length;
  const sigInst = t.arms[arm].lineFwhmPx / FWHM;
  const b = t.arms[arm].blaze;
  for (const l of lines) {
    const xl = columnOf(t, arm, l.lambda);
    if (!Number.isFinite(xl) || xl < -20 || xl > n + 20) continue;
    const i0 = round(xl) - 1;
    const sig = hypot(sigInst, l.sigmaAngstrom / dl[min(n - 1, max(0, i0))]);
    const reach = ceil(6 * sig);
    for (let i = max(0, i0 - reach); i <= min(n - 1, i0 + reach); i++) {
      const x = i + 1;
      const frac = normalCdf((x + 0.5 - xl) / sig) - normalCdf((x - 0.5 - xl) / sig);
      out[i] += scale * l.flux * frac * (1 - b * u[i] * u[i]);
    }
  }
}

const asLines = (ls: readonly EmissionLine[], unit: number) => ls.map((l) => ({ lambda: l.wavelengthAngstrom, flux: l.intensity * unit, sigmaAngstrom: 0 }));

/**
 * Electrons fibre `fibre` (1-based slit position) deposits in each data column of exposure `e` on `arm`, summed over
 * the trace profile, before pixel response, noise, dark current and cosmic rays. Returns false (and leaves `out`
 * zero) for frames without fibre light (BIAS, DARK, LFLAT) and fibres that carry none.
 */
export function fibreElectrons(t: NightTruth, e: ExposureTruth, arm: ArmName, fibre: number, out: Float64Array): boolean {
  out.fill(0);
  if (e.field === null || e.exposedS <= 0) return false;
  const field = t.fields[e.field];
  const fib = field.fibres[fibre - 1];
  const through = t.arms[arm].throughput[field.plate][fibre - 1];
  // Guide and broken fibres carry no light; parked fibres see the lamps (flaps closed) but not the sky.
  if (through === 0 || (e.ndfClass === 'MFOBJECT' && fib.type !== 'P' && fib.type !== 'S')) return false;
  const scale = t.fluxScale * e.exposedS * through;
  const { lambda, dlambda, u, response, lamp, skyContinuum } = wavelengthGrid(t, arm);
  const n = out.length;
  if (e.ndfClass === 'MFFFF') {
    for (let i = 0; i < n; i++) out[i] = scale * lamp[i] * response[i];
  } else if (e.ndfClass === 'MFARC') {
    addLines(t, arm, out, asLines(t.lamps.arc.lines, t.lamps.arc.electronsPerSecondPerUnit), scale, u, dlambda);
  } else if (e.ndfClass === 'MFOBJECT') {
    const s = fib.type === 'P' ? fib.spectrum : undefined;
    for (let i = 0; i < n; i++) out[i] = scale * (skyContinuum[i] + (s ? objectContinuum(s, lambda[i]) : 0)) * response[i];
    addLines(t, arm, out, asLines(t.sky.lines, 1), scale, u, dlambda);
    if (s) addLines(t, arm, out, s.lines.map((l) => ({ lambda: l.observedAngstrom, flux: l.fluxElectronsPerSecond, sigmaAngstrom: l.sigmaAngstrom })), scale, u, dlambda);
  } else return false;
  return true;
}

/** Trace centre (1-based row) of a fibre at 1-based data column x. */
export function traceCentre(t: NightTruth, arm: ArmName, plate: 0 | 1, fibre: number, x: number): number {
  return polyval(t.arms[arm].traces[plate][fibre - 1], (x - t.xCentre) / t.halfWidth);
}
