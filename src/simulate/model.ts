// Builds the complete truth of a night from its options: arms, fields, exposures, cosmic rays; pure and seeded.
import { cuarLines } from '../reducer/arc-lines.js';
import { hms, mjdOfDate, rawFileName } from './astro-time.js';
import { allocateFibres, brokenFibres, fieldCentre, isGuide, N_FIBRES } from './fields.js';
import {
  arms, dispersion, geometryFor, halfWidth, lineFwhmPx, traceCoeffs, TRACE_FWHM_PX, wavelengthCoeffs, xCentre,
  type ArmName, type Geometry,
} from './instrument.js';
import { skyLines } from './lines.js';
import type { PlannedExposure, ResolvedOptions } from './plan.js';
import { Random } from './random.js';
import type { ArmTruth, ExposureTruth, FieldTruth, NightTruth } from './truth.js';

const COSMICS_PER_MINUTE = 28; // ~1.5 per cm^2 per minute over the 18.9 cm^2 of a 2k x 4k, 15 micron CCD
const READOUT_EXPOSURE_S = 60; // cosmic rays also arrive while the CCD reads out

function armTruth(seed: number, arm: ArmName, g: Geometry): ArmTruth {
  const a = arms[arm];
  const r = new Random(seed, 'arm', arm);
  const plateOffset = [0, Number(r.uniform(0.3, 0.9).toFixed(3))];
  const baseThroughput = [0, 1].map((p) => {
    const rp = new Random(seed, 'throughput', p);
    return Array.from({ length: N_FIBRES }, () => rp.uniform(0.8, 1.1));
  });
  const traces = [0, 1].map((p) => {
    const rp = new Random(seed, 'slit', p);
    return Array.from({ length: N_FIBRES }, (_, i) => traceCoeffs(a, i + 1, rp.normal(0, 0.12), plateOffset[p]).map((c) => Number(c.toFixed(4))));
  });
  const area = g.dataColumns / 2048;
  const hot = new Random(seed, 'hot', arm);
  return {
    arm, ccd: a.ccd, spectId: a.spectId, detector: a.detector, gratId: a.gratId, lambdaCAngstrom: a.lambdaCAngstrom,
    dispersionAngstromPerPx: Number(dispersion(a, g).toFixed(4)),
    wavelengthCoeffs: wavelengthCoeffs(a),
    gain: a.gain,
    readNoiseElectrons: a.readNoiseE,
    biasAdu: a.biasAdu,
    biasRowSlopeAdu: 1.5,
    darkElectronsPerSecond: 0.0008,
    hotPixels: Array.from({ length: Math.round(150 * area) }, () => [hot.int(1, g.dataColumns), hot.int(1, g.naxis2), Number(hot.uniform(0.05, 3).toFixed(3))]),
    prnuSigma: 0.008,
    traceFwhmPx: TRACE_FWHM_PX,
    lineFwhmPx: lineFwhmPx(g),
    blaze: a.blaze,
    traces,
    // Fibre throughput is nearly achromatic: the arms differ by a few per cent. Guide and broken fibres carry no light.
    throughput: [0, 1].map((p) => {
      const tweak = new Random(seed, 'arm-throughput', arm, p);
      const broken = brokenFibres(seed, p as 0 | 1);
      return baseThroughput[p].map((t, i) => {
        const k = 1 + tweak.normal(0, 0.02);
        return isGuide(i + 1) || broken.has(i + 1) ? 0 : Number((t * k).toFixed(4));
      });
    }),
  };
}

function poisson(r: Random, mean: number): number {
  if (mean < 30) {
    let k = 0;
    for (let p = Math.exp(-mean), s = p, u = r.next(); u > s; k++) s += (p *= mean / (k + 1));
    return k;
  }
  return Math.max(0, Math.round(r.normal(mean, Math.sqrt(mean))));
}

function cosmicRays(seed: number, run: number, arm: ArmName, exposedS: number, g: Geometry): number[][] {
  const r = new Random(seed, 'cosmics', run, arm);
  const n = poisson(r, (COSMICS_PER_MINUTE / 60) * (exposedS + READOUT_EXPOSURE_S) * (g.dataColumns / 2048));
  return Array.from({ length: n }, () => {
    const s = r.next();
    return [r.int(1, g.dataColumns), r.int(1, g.naxis2), 1 + Math.floor(11 * s * s), Number(r.uniform(0, Math.PI).toFixed(4)), Math.round(2000 * (1 + 9 * r.next()))];
  });
}

/** Everything a night's frames are rendered from. The same options always give the same truth. */
export function buildTruth(o: ResolvedOptions, plan: PlannedExposure[]): NightTruth {
  const g = geometryFor(o.size);
  const mjd0 = mjdOfDate(o.night);
  const yymmdd = o.night.slice(2).replace(/-/g, '');
  const fields: FieldTruth[] = [];
  for (let f = 0; f < o.fields; f++) {
    const own = plan.filter((e) => e.field === f);
    const mid = mjd0 + (own[0].utStartS + own[own.length - 1].utStartS) / 2 / 86400;
    const [ra, dec] = fieldCentre(o.seed, f, mid);
    const plate = (f % 2) as 0 | 1;
    const name = `F${yymmdd}_${String(f + 1).padStart(2, '0')}`;
    fields.push({
      index: f, name, plate, cfgFile: `${name}_p${plate}.sds`, centreRaDeg: ra, centreDecDeg: dec,
      configuredMjd: Number((mjd0 + own[0].utStartS / 86400 - 0.05).toFixed(6)),
      fibres: allocateFibres(o.seed, f, plate, ra, dec),
    });
  }
  const objectOf = (e: PlannedExposure) =>
    e.field !== null ? fields[e.field].name : e.ndfClass === 'BIAS' ? 'Bias' : e.ndfClass === 'DARK' ? 'Dark' : 'Long-slit flat';
  const exposures: ExposureTruth[] = plan.map((e) => ({
    run: e.run,
    ndfClass: e.ndfClass,
    field: e.field,
    object: objectOf(e),
    utStart: hms(e.utStartS),
    utStartS: e.utStartS,
    exposedS: e.exposedS,
    mjd: mjd0 + e.utStartS / 86400,
    files: { blue: `ccd_1/${rawFileName(o.night, 1, e.run)}`, red: `ccd_2/${rawFileName(o.night, 2, e.run)}` },
    biasOffsetAdu: { blue: Number(new Random(o.seed, 'bias', e.run, 'blue').normal(0, 0.8).toFixed(3)), red: Number(new Random(o.seed, 'bias', e.run, 'red').normal(0, 0.8).toFixed(3)) },
    cosmicRays: { blue: cosmicRays(o.seed, e.run, 'blue', e.exposedS, g), red: cosmicRays(o.seed, e.run, 'red', e.exposedS, g) },
  }));
  return {
    format: 'drsoda-simulator-truth',
    version: 1,
    night: o.night,
    seed: o.seed,
    size: o.size,
    geometry: g,
    xCentre: xCentre(g),
    halfWidth: halfWidth(g),
    fluxScale: 1 / g.binning,
    arms: { blue: armTruth(o.seed, 'blue', g), red: armTruth(o.seed, 'red', g) },
    lamps: {
      flat: { electronsPerSecondPerAngstromAt5500: 1500, temperatureK: 3100 },
      longSlitFlat: { electronsPerSecondPerPixelAt5500: 600, vignetting: 0.08 },
      arc: { lamp: 'CuAr', electronsPerSecondPerUnit: 2, lines: [...cuarLines] },
    },
    sky: { continuumAt5500: 0.08, slope: 1, lines: [...skyLines] },
    fields,
    exposures,
  };
}
