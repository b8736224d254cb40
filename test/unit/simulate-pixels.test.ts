// Pixels of simulated frames against the truth file: bias/overscan, traces, flat and object counts, arc and sky
// line positions, hot pixels and cosmic rays. Tolerances come from the noise model, as each comment says.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readHeaders, readImage, type Image } from '../../src/fits/index.js';
import { columnOf, fibreElectrons, lampShape, simulateNight, traceCentre, wavelengthGrid, type ArmName, type ExposureTruth, type NightTruth } from '../../src/simulate/index.js';

let dir: string;
let truth: NightTruth;
let nightDir: string;
const W = 5; // rows either side of the trace centre that hold its light (PROFILE_HALF_WIDTH_PX)

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sim-pixels-'));
  const s = await simulateNight({ outDir: dir, night: '2015-03-02', size: 'small', fields: 1, objects: 1, biases: 1, darks: 1, lflats: 1, seed: 11, concurrency: 0 });
  nightDir = s.nightDir;
  truth = JSON.parse(await readFile(s.truthFile, 'utf8'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const exposure = (cls: string) => truth.exposures.find((e) => e.ndfClass === cls)!;
async function image(e: ExposureTruth, arm: ArmName): Promise<Image> {
  const file = path.join(nightDir, e.files[arm]);
  return readImage(file, (await readHeaders(file))[0]);
}
const biasOf = (e: ExposureTruth, arm: ArmName, y: number) => {
  const a = truth.arms[arm];
  return a.biasAdu + (a.biasRowSlopeAdu * (y - 1)) / (truth.geometry.naxis2 - 1) + e.biasOffsetAdu[arm];
};

/** Pixels hit by cosmic rays or hot pixels, which the comparisons leave out. */
function defects(e: ExposureTruth, arm: ArmName): Set<number> {
  const nc = truth.geometry.dataColumns;
  const out = new Set<number>();
  for (const [x, y] of truth.arms[arm].hotPixels) out.add((y - 1) * nc + x - 1);
  for (const [x, y, len, a] of e.cosmicRays[arm]) for (let k = 0; k < len; k++) out.add((Math.round(y + k * Math.sin(a)) - 1) * nc + Math.round(x + k * Math.cos(a)) - 1);
  return out;
}

/**
 * A fibre's window summed per clean column (electrons above bias), the expected electrons and the noise sigma:
 * photon + read + rounding noise, plus the 0.8% pixel response over a window whose squared weights sum to ~0.26.
 */
function compareFibre(img: Image, e: ExposureTruth, arm: ArmName, fibre: number) {
  const a = truth.arms[arm];
  const { dataColumns: nc, naxis2 } = truth.geometry;
  const plate = truth.fields[e.field!].plate;
  const spec = new Float64Array(nc);
  fibreElectrons(truth, e, arm, fibre, spec);
  const bad = defects(e, arm);
  const cols: { x: number; measured: number; expected: number; sigma: number }[] = [];
  for (let x = 1; x <= nc; x++) {
    const yc = traceCentre(truth, arm, plate, fibre, x);
    const rows: number[] = [];
    for (let y = Math.max(1, Math.ceil(yc - W)); y <= Math.min(naxis2, Math.floor(yc + W)); y++) rows.push(y);
    if (rows.some((y) => bad.has((y - 1) * nc + x - 1))) continue;
    let measured = 0;
    for (const y of rows) measured += (img.data[(y - 1) * img.width + x - 1] - biasOf(e, arm, y)) * a.gain;
    const expected = spec[x - 1] + a.darkElectronsPerSecond * e.exposedS * rows.length;
    const variance = expected + rows.length * (a.readNoiseElectrons ** 2 + a.gain ** 2 / 12) + (a.prnuSigma * expected) ** 2 * 0.26;
    cols.push({ x, measured, expected, sigma: Math.sqrt(variance) });
  }
  const sum = (k: 'measured' | 'expected') => cols.reduce((t, c) => t + c[k], 0);
  return { cols, measured: sum('measured'), expected: sum('expected'), sigma: Math.sqrt(cols.reduce((t, c) => t + c.sigma ** 2, 0)) };
}

describe('simulated pixels against the truth', () => {
  it('puts bias level, row slope and read noise into the overscan', async () => {
    const e = exposure('BIAS');
    for (const arm of ['blue', 'red'] as const) {
      const img = await image(e, arm);
      const { dataColumns: nc, naxis1, naxis2 } = truth.geometry;
      let sum = 0, sum2 = 0, n = 0, expect0 = 0;
      for (let y = 1; y <= naxis2; y++) {
        for (let x = nc + 1; x <= naxis1; x++) {
          const v = img.data[(y - 1) * naxis1 + x - 1];
          sum += v; sum2 += v * v; n++; expect0 += biasOf(e, arm, y);
        }
      }
      const mean = sum / n;
      // 65k pixels of ~2 ADU noise: the mean is good to 0.01 ADU, rounding adds no bias.
      expect(Math.abs(mean - expect0 / n)).toBeLessThan(0.05);
      const rms = Math.sqrt(sum2 / n - mean * mean - (truth.arms[arm].biasRowSlopeAdu ** 2) / 12);
      const rn = Math.hypot(truth.arms[arm].readNoiseElectrons / truth.arms[arm].gain, Math.sqrt(1 / 12));
      expect(Math.abs(rms / rn - 1)).toBeLessThan(0.03);
    }
  });

  it('traces fibres where the truth says, with the stated width, and leaves guide fibres dark', async () => {
    const e = exposure('MFFFF');
    const plate = truth.fields[0].plate;
    for (const arm of ['blue', 'red'] as const) {
      const img = await image(e, arm);
      for (const fibre of [1, 2, 123, 201, 333, 399]) {
        if (truth.arms[arm].throughput[plate][fibre - 1] === 0) continue;
        for (const x of [10, 128, 250]) {
          const yc = traceCentre(truth, arm, plate, fibre, x);
          let s = 0, sy = 0, syy = 0;
          for (let y = Math.ceil(yc - W); y <= Math.floor(yc + W); y++) {
            if (y < 1) continue;
            const v = img.data[(y - 1) * img.width + x - 1] - biasOf(e, arm, y);
            s += v; sy += v * y; syy += v * y * y;
          }
          // Thousands of electrons per column: the centroid is good to ~0.01 px, the width to a few per cent.
          expect(Math.abs(sy / s - yc)).toBeLessThan(fibre === 1 ? 0.1 : 0.03);
          const fwhm = 2.3548 * Math.sqrt(syy / s - (sy / s) ** 2);
          expect(Math.abs(fwhm - truth.arms[arm].traceFwhmPx)).toBeLessThan(0.1);
        }
      }
      const guide = compareFibre(img, e, arm, 200);
      expect(guide.expected).toBeLessThan(100); // dark current only
      expect(Math.abs(guide.measured)).toBeLessThan(5 * guide.sigma);
    }
  });

  it.each(['MFFFF', 'MFOBJECT', 'MFARC'])('matches the expected %s counts of programme and sky fibres', async (cls) => {
    const e = exposure(cls);
    const fibres = truth.fields[0].fibres.filter((f) => f.type === 'P' || f.type === 'S').slice(0, 12);
    for (const arm of ['blue', 'red'] as const) {
      const img = await image(e, arm);
      for (const f of fibres) {
        const c = compareFibre(img, e, arm, f.fibre);
        // Column by column within the noise model (a misplaced line or trace would show on its flanks), and in total.
        const z = c.cols.map((col) => (col.measured - col.expected) / col.sigma);
        expect([cls, arm, f.fibre, Math.max(...z.map(Math.abs)) < 5.5]).toEqual([cls, arm, f.fibre, true]);
        expect(z.reduce((t, v) => t + v * v, 0) / z.length).toBeLessThan(1.4);
        expect(c.cols.length).toBeGreaterThan(200);
        expect(Math.abs(c.measured - c.expected)).toBeLessThan(5 * c.sigma);
      }
    }
  });

  it('places isolated arc lines at their true wavelengths', async () => {
    const lines: [ArmName, number][] = [['red', 7635.106], ['red', 7272.936], ['blue', 5218.202], ['blue', 4426.001]];
    const e = exposure('MFARC');
    const plate = truth.fields[0].plate;
    const fibres = truth.fields[0].fibres.filter((f) => f.type === 'S').slice(0, 5);
    for (const [arm, lambda] of lines) {
      const img = await image(e, arm);
      const xl = columnOf(truth, arm, lambda);
      let sx = 0, s = 0;
      for (const f of fibres) {
        for (let x = Math.round(xl) - 3; x <= Math.round(xl) + 3; x++) {
          const yc = traceCentre(truth, arm, plate, f.fibre, x);
          let col = 0;
          for (let y = Math.ceil(yc - W); y <= Math.floor(yc + W); y++) col += img.data[(y - 1) * img.width + x - 1] - biasOf(e, arm, y);
          s += col;
          sx += col * x;
        }
      }
      // ~10^5 electrons in the window: the centroid is good to ~0.01 px; 0.05 px allows for the window cut.
      expect(Math.abs(sx / s - xl)).toBeLessThan(0.05);
    }
  });

  it('lights the whole detector smoothly in a long-slit flat', async () => {
    const e = exposure('LFLAT');
    const { dataColumns: nc, naxis2 } = truth.geometry;
    for (const arm of ['blue', 'red'] as const) {
      const img = await image(e, arm);
      const { lambda, u } = wavelengthGrid(truth, arm);
      const a = truth.arms[arm];
      for (const [x0, y0] of [[100, 2000], [20, 300], [240, 3900]]) {
        let measured = 0, expected = 0;
        for (let y = y0; y < y0 + 40; y++) {
          const v = (y - (naxis2 + 1) / 2) / ((naxis2 + 1) / 2);
          for (let x = x0; x < x0 + 10; x++) {
            measured += (img.data[(y - 1) * img.width + x - 1] - biasOf(e, arm, y)) * a.gain;
            expected += truth.lamps.longSlitFlat.electronsPerSecondPerPixelAt5500 * e.exposedS * lampShape(lambda[x - 1], truth.lamps.flat.temperatureK) *
              (1 - a.blaze * u[x - 1] ** 2) * (1 - truth.lamps.longSlitFlat.vignetting * v * v) + a.darkElectronsPerSecond * e.exposedS;
          }
        }
        // 400 pixels of >5000 electrons: photon noise and the averaged pixel response stay well below 0.5%.
        expect([arm, x0, y0, Math.abs(measured / expected - 1) < 0.005]).toEqual([arm, x0, y0, true]);
      }
      expect(nc).toBe(256);
    }
  });

  it('adds hot pixels in darks and cosmic rays where the truth lists them', async () => {
    const e = exposure('DARK');
    for (const arm of ['blue', 'red'] as const) {
      const img = await image(e, arm);
      const a = truth.arms[arm];
      for (const [x, y, rate] of a.hotPixels) {
        const adu = img.data[(y - 1) * img.width + x - 1] - biasOf(e, arm, y);
        // Dark electrons arrive with Poisson noise: 5 sigma below the expectation (plus read noise) is a failure.
        const el = rate * e.exposedS;
        expect(adu).toBeGreaterThan((el - 5 * Math.sqrt(el + 20)) / a.gain);
      }
      expect(e.cosmicRays[arm].length).toBeGreaterThan(20);
      for (const [x, y, len, , electrons] of e.cosmicRays[arm]) {
        const adu = img.data[(y - 1) * img.width + x - 1] - biasOf(e, arm, y);
        const el = electrons / len;
        expect(adu).toBeGreaterThan((el - 5 * Math.sqrt(el + 20)) / a.gain);
      }
    }
  });
});
