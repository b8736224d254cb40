// 2dF fields of a simulated night: centres near the meridian, fibre allocations (P/S/F/N/U) and programme spectra.
import { deg, lstDeg } from './astro-time.js';
import { galaxyLines } from './lines.js';
import { Random } from './random.js';
import type { FibreTruth, FibreType, ObjectSpectrum } from './truth.js';

export const N_FIBRES = 400;
export const SKY_FIBRES = 25; // DEVILS configures 25 sky fibres
export const FIELD_RADIUS_DEG = 1; // 2dF's two-degree field

/** Guide (fiducial) bundles sit at every 50th slit position (domain notes 2.4, an inference). */
export const isGuide = (fibre: number) => fibre % 50 === 0;

/** Broken fibres are hardware: fixed per plate for a seed. */
export function brokenFibres(seed: number, plate: 0 | 1): Set<number> {
  const r = new Random(seed, 'broken', plate);
  const out = new Set<number>();
  while (out.size < 3) {
    const f = r.int(1, N_FIBRES);
    if (!isGuide(f)) out.add(f);
  }
  return out;
}

/** Pivot numbers equal slit positions except a few pairs swapped when slit blocks were repaired out of order. */
export function pivots(seed: number, plate: 0 | 1): number[] {
  const r = new Random(seed, 'pivots', plate);
  const p = Array.from({ length: N_FIBRES }, (_, i) => i + 1);
  for (let k = 0; k < 2; k++) {
    const i = r.int(0, N_FIBRES - 2);
    [p[i], p[i + 1]] = [p[i + 1], p[i]];
  }
  return p;
}

function jName(raDeg: number, decDeg: number): string {
  const ra = raDeg / 15;
  const h = Math.floor(ra);
  const m = Math.floor((ra - h) * 60);
  const s = ((ra - h) * 60 - m) * 60;
  const sign = decDeg < 0 ? '-' : '+';
  const ad = Math.abs(decDeg);
  const d = Math.floor(ad);
  const dm = Math.floor((ad - d) * 60);
  const ds = ((ad - d) * 60 - dm) * 60;
  const p = (n: number, w: number, f = 0) => n.toFixed(f).padStart(w, '0');
  return `J${p(h, 2)}${p(m, 2)}${p(Math.min(s, 59.99), 5, 2)}${sign}${p(d, 2)}${p(dm, 2)}${p(Math.min(ds, 59.9), 4, 1)}`;
}

/** A point uniformly distributed within `radiusDeg` of the centre (small-field approximation). */
function scatter(r: Random, raDeg: number, decDeg: number, radiusDeg: number): [number, number] {
  const rho = radiusDeg * Math.sqrt(r.next());
  const phi = r.uniform(0, 2 * Math.PI);
  return [(raDeg + (rho * Math.cos(phi)) / Math.cos(decDeg * deg) + 360) % 360, decDeg + rho * Math.sin(phi)];
}

function galaxy(r: Random, magnitude: number): ObjectSpectrum {
  const redshift = Number(r.uniform(0.02, 0.45).toFixed(5));
  const emitting = r.next() < 0.6;
  const halpha = r.uniform(0.4, 4);
  const sigmaRest = r.uniform(1.2, 3);
  return {
    continuumAt5500: 10 ** (-0.4 * (magnitude - 17.5)),
    slope: Number(r.uniform(-1.5, 1).toFixed(3)),
    break4000: Number(r.uniform(0.5, 0.9).toFixed(3)),
    redshift,
    lines: emitting
      ? galaxyLines.map((l) => ({
          species: l.species,
          restAngstrom: l.wavelengthAngstrom,
          observedAngstrom: l.wavelengthAngstrom * (1 + redshift),
          fluxElectronsPerSecond: (halpha * l.intensity) / 1.6,
          sigmaAngstrom: sigmaRest * (1 + redshift),
        }))
      : [],
  };
}

/** Fibre allocations of one configuration: 8 guide, 3 broken, 25 sky, ~45 parked, the rest programme targets. */
export function allocateFibres(seed: number, fieldIndex: number, plate: 0 | 1, raDeg: number, decDeg: number): FibreTruth[] {
  const r = new Random(seed, 'field', fieldIndex);
  const broken = brokenFibres(seed, plate);
  const pivot = pivots(seed, plate);
  const free = r.shuffled(Array.from({ length: N_FIBRES }, (_, i) => i + 1).filter((f) => !isGuide(f) && !broken.has(f)));
  const sky = new Set(free.slice(0, SKY_FIBRES));
  const parked = new Set(free.slice(SKY_FIBRES, SKY_FIBRES + r.int(35, 55)));
  let nSky = 0;
  let nGuide = 0;
  return Array.from({ length: N_FIBRES }, (_, i): FibreTruth => {
    const fibre = i + 1;
    const type: FibreType = isGuide(fibre) ? 'F' : broken.has(fibre) ? 'N' : sky.has(fibre) ? 'S' : parked.has(fibre) ? 'U' : 'P';
    const base = { fibre, type, pivot: pivot[i] };
    if (type === 'N' || type === 'U') return { ...base, name: type === 'U' ? 'Parked' : '', raDeg, decDeg, magnitude: null };
    const [ra, dec] = scatter(r, raDeg, decDeg, type === 'F' ? 0.95 : FIELD_RADIUS_DEG);
    if (type === 'S') return { ...base, name: `Sky-${String(++nSky).padStart(2, '0')}`, raDeg: ra, decDeg: dec, magnitude: null };
    if (type === 'F') return { ...base, name: `Guide-${++nGuide}`, raDeg: ra, decDeg: dec, magnitude: Number(r.uniform(12.5, 14.5).toFixed(2)) };
    const magnitude = Number(r.uniform(16.5, 20).toFixed(2));
    return { ...base, name: jName(ra, dec), raDeg: ra, decDeg: dec, magnitude, spectrum: galaxy(r, magnitude) };
  });
}

/** Field centre near the meridian at the middle of the field's observations, at a southern declination. */
export function fieldCentre(seed: number, fieldIndex: number, midMjd: number): [number, number] {
  const r = new Random(seed, 'centre', fieldIndex);
  const ra = (lstDeg(midMjd) + r.uniform(-15, 15) + 360) % 360;
  return [Number(ra.toFixed(6)), Number(r.uniform(-42, -18).toFixed(6))];
}
