// The reducer against the simulator's truth (docs/simulator.md): a small simulated night reduced arm by
// arm as the planner orders the steps, every product compared with what the frames were made from.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findHdu, readHeaders, readImage, type Header } from '../../src/fits/index.js';
import { columnOf, objectContinuum, type ArmName, type NightTruth } from '../../src/simulate/index.js';
import { projectRoot } from '../support/process.js';
import { aaorun, type ArmRun } from './reducer-pipeline.js';

const poly = (c: number[], u: number) => c.reduceRight((v, k) => v * u + k, 0);
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

type ArmRunJson = Omit<ArmRun, 'logs'> & { logs: Record<string, string> };

interface Plane {
  data: Float32Array;
  width: number;
  height: number;
  header: Header;
}

async function plane(file: string, ext = 'PRIMARY'): Promise<Plane> {
  const hdu = findHdu(await readHeaders(file), ext);
  if (!hdu) throw new Error(`${file} has no ${ext}`);
  const img = await readImage(file, hdu);
  return { data: img.data as Float32Array, width: img.width, height: img.height, header: hdu.header };
}

describe('reduced simulated night against the truth', () => {
  let truth: NightTruth;
  let root: string;
  const arms = {} as Record<ArmName, ArmRun>;
  // The reduced night is some hundreds of MB.
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'reducer-truth-'));
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test/science/reduce-night-cli.ts'), root], {
      cwd: projectRoot,
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
      timeout: 170000,
      maxBuffer: 64 << 20,
    });
    const r = JSON.parse(out) as { truthFile: string; blue: ArmRunJson; red: ArmRunJson };
    truth = JSON.parse(readFileSync(r.truthFile, 'utf8')) as NightTruth;
    for (const arm of ['blue', 'red'] as const) arms[arm] = { ...r[arm], logs: new Map(Object.entries(r[arm].logs)) };
  }, 180000);

  const plate = () => truth.fields[0].plate;
  const exposure = (root: string) => truth.exposures.find((e) => e.files.blue.endsWith(`${root.replace(/^(\w{5})2/, '$11')}.fits`))!;

  it.each(['blue', 'red'] as const)('traces every lit fibre of the %s arm within 0.2 px of its true centre', async (arm) => {
    const a = truth.arms[arm];
    const tlm = await plane(path.join(arms[arm].work, `${arms[arm].runs.flat}tlm.fits`));
    expect(tlm.height).toBe(400);
    let worstLit = 0;
    let worstDark = 0;
    for (let f = 0; f < 400; f++) {
      for (let x = 0; x < tlm.width; x++) {
        const d = Math.abs(tlm.data[f * tlm.width + x] - poly(a.traces[plate()][f], (x + 1 - truth.xCentre) / truth.halfWidth));
        if (a.throughput[plate()][f] > 0) worstLit = Math.max(worstLit, d);
        else worstDark = Math.max(worstDark, d);
      }
    }
    expect(worstLit).toBeLessThan(0.2);
    // Guide and broken fibres carry no light: placed between neighbours, off by up to their own jitter.
    expect(worstDark).toBeLessThan(1);
    expect(tlm.header.number('MWIDTH')).toBeCloseTo(a.traceFwhmPx, 0);
  });

  it.each(['blue', 'red'] as const)('solves the %s arc to under 0.1 px RMS, in its line fits and against the true dispersion', async (arm) => {
    const a = truth.arms[arm];
    const file = path.join(arms[arm].work, `${arms[arm].runs.arc}red.fits`);
    const red = await plane(file);
    expect(red.header.number('ARCRMS')).toBeLessThan(0.1);
    const wavela = await plane(file, 'WAVELA');
    const W = wavela.width;
    let worstFibre = 0;
    for (let f = 0; f < 400; f++) {
      if (!(a.throughput[plate()][f] > 0)) continue;
      let ss = 0;
      for (let x = 0; x < W; x++) ss += ((wavela.data[f * W + x] * 10 - poly(a.wavelengthCoeffs, (x + 1 - truth.xCentre) / truth.halfWidth)) / a.dispersionAngstromPerPx) ** 2;
      worstFibre = Math.max(worstFibre, Math.sqrt(ss / W));
    }
    expect(worstFibre).toBeLessThan(0.1);
  });

  /**
   * Object counts the truth predicts at wavelength lam in a product pixel of width cdelt: the fibre flat
   * normalises every fibre to the median fibre's throughput, and no flux calibration follows.
   */
  function model(arm: ArmName, f: number, lam: number, cdelt: number, exposedS: number, ref: number): number {
    const a = truth.arms[arm];
    const s = truth.fields[0].fibres[f].spectrum!;
    const u = (columnOf(truth, arm, lam) - truth.xCentre) / truth.halfWidth;
    return (truth.fluxScale * exposedS * ref * objectContinuum(s, lam) * (1 - a.blaze * u * u) * cdelt) / a.gain;
  }

  /** Per programme fibre: median product/model ratio and median S/N, away from object and sky lines. */
  async function compare(arm: ArmName, file: string, exposedS: number) {
    const red = await plane(file);
    const v = await plane(file, 'VARIANCE');
    const h = red.header;
    const n = red.width;
    const lamOf = (k: number) => h.number('CRVAL1')! + (k + 1 - h.number('CRPIX1')!) * h.number('CDELT1')!;
    const cdelt = h.number('CDELT1')!;
    const skyLines = truth.sky.lines.map((l) => l.wavelengthAngstrom);
    const ref = median(truth.arms[arm].throughput[plate()].filter((t) => t > 0));
    const fibres: { f: number; ratio: number; snr: number }[] = [];
    let z2 = 0;
    let nz = 0;
    for (let f = 0; f < 400; f++) {
      const fib = truth.fields[0].fibres[f];
      if (fib.type !== 'P' || !fib.spectrum) continue;
      const lines = [...fib.spectrum.lines.map((l) => l.observedAngstrom), ...skyLines];
      const ratios: number[] = [];
      const snrs: number[] = [];
      for (let k = 5; k < n - 5; k++) {
        const lam = lamOf(k);
        if (lines.some((l) => Math.abs(l - lam) < 4 * cdelt)) continue;
        const m = model(arm, f, lam, cdelt, exposedS, ref);
        const val = red.data[f * n + k];
        const sd = Math.sqrt(v.data[f * n + k]);
        if (!Number.isFinite(val) || !(m > 0)) continue;
        ratios.push(val / m);
        snrs.push(m / sd);
        if (m / sd > 40) {
          z2 += ((val - m) / sd) ** 2;
          nz++;
        }
      }
      fibres.push({ f, ratio: median(ratios), snr: median(snrs) });
    }
    return { fibres, zRms: Math.sqrt(z2 / nz), pixels: nz };
  }

  it.each(['blue', 'red'] as const)('gives flat-fielded, sky-subtracted %s object spectra within 3%% of the truth where S/N > 20', async (arm) => {
    const run = arms[arm];
    const obj = run.runs.objects[0];
    const e = exposure(obj);
    const c = await compare(arm, path.join(run.work, `${obj}red.fits`), e.exposedS);
    const bright = c.fibres.filter((x) => x.snr > 20);
    expect(bright.length).toBeGreaterThan(100);
    // Throughput and flat: every bright fibre's flux level within 3% ("a few percent"; measured ~1%).
    for (const b of bright) expect(Math.abs(b.ratio - 1)).toBeLessThan(0.03);
    // Shape: residuals against the model in noise units, for pixels at S/N > 40, are noise-like (an
    // RMS of 1 means model and variance are both right; 1.5 leaves room for the slight blaze and
    // wavelength approximations of the model at these S/N).
    expect(c.pixels).toBeGreaterThan(1000);
    expect(c.zRms).toBeGreaterThan(0.8);
    expect(c.zRms).toBeLessThan(1.5);
  });

  it.each(['blue', 'red'] as const)('subtracts the %s sky to the noise in the sky fibres and keeps the true sky in SKY', async (arm) => {
    const run = arms[arm];
    const file = path.join(run.work, `${run.runs.objects[0]}red.fits`);
    const red = await plane(file);
    const v = await plane(file, 'VARIANCE');
    const sky = await plane(file, 'SKY');
    const n = red.width;
    const z: number[] = [];
    for (let f = 0; f < 400; f++) {
      if (truth.fields[0].fibres[f].type !== 'S') continue;
      for (let k = 5; k < n - 5; k++) {
        const zk = red.data[f * n + k] / Math.sqrt(v.data[f * n + k]);
        // NaN: a pixel a cosmic-ray track made bad, as 2dFdr leaves them.
        if (Number.isFinite(zk)) z.push(zk);
      }
    }
    const m = median(z);
    const sigma = 1.4826 * median(z.map((x) => Math.abs(x - m)));
    expect(Math.abs(m)).toBeLessThan(0.1);
    // Below 1: every sky fibre contributed to the median it is compared with.
    expect(sigma).toBeGreaterThan(0.7);
    expect(sigma).toBeLessThan(1.2);
    // No artefact (an unrejected cosmic ray in a calibration, a misplaced line) anywhere.
    expect(Math.max(...z.map(Math.abs))).toBeLessThan(8);
    const h = red.header;
    const e = exposure(run.runs.objects[0]);
    const ref = median(truth.arms[arm].throughput[plate()].filter((t) => t > 0));
    const ratios: number[] = [];
    for (let k = 5; k < n - 5; k++) {
      const lam = h.number('CRVAL1')! + (k + 1 - h.number('CRPIX1')!) * h.number('CDELT1')!;
      if (truth.sky.lines.some((l) => Math.abs(l.wavelengthAngstrom - lam) < 4 * h.number('CDELT1')!)) continue;
      const u = (columnOf(truth, arm, lam) - truth.xCentre) / truth.halfWidth;
      const cont = truth.sky.continuumAt5500 * (lam / 5500) ** truth.sky.slope;
      ratios.push(sky.data[k] / ((truth.fluxScale * e.exposedS * ref * cont * (1 - truth.arms[arm].blaze * u * u) * h.number('CDELT1')!) / truth.arms[arm].gain));
    }
    expect(Math.abs(median(ratios) - 1)).toBeLessThan(0.03);
  });

  it.each(['blue', 'red'] as const)('combines the %s object frames fibre by fibre, halving the variance', async (arm) => {
    const run = arms[arm];
    const file = path.join(run.work, `field_ccd${arm === 'blue' ? 1 : 2}.fits`);
    const comb = await plane(file);
    expect(comb.header.number('NCOMBINE')).toBe(2);
    const e = exposure(run.runs.objects[0]);
    const c = await compare(arm, file, e.exposedS);
    for (const b of c.fibres.filter((x) => x.snr > 20)) expect(Math.abs(b.ratio - 1)).toBeLessThan(0.03);
    const v1 = await plane(path.join(run.work, `${run.runs.objects[0]}red.fits`), 'VARIANCE');
    const vc = await plane(file, 'VARIANCE');
    const r: number[] = [];
    for (let i = 0; i < vc.data.length; i++) if (vc.data[i] > 0 && v1.data[i] > 0) r.push(vc.data[i] / v1.data[i]);
    expect(median(r)).toBeGreaterThan(0.4);
    expect(median(r)).toBeLessThan(0.6);
    expect(run.logs.get(`combine_spectra ${run.runs.objects.map((o) => `${o}red.fits`).join(' ')}`)).toMatch(/rejected [1-9]\d* cosmic-ray values/);
  });

  it('splices blue and red onto one grid that keeps each arm where it alone has light', async () => {
    const work = arms.blue.work;
    const redFile = path.join(arms.red.work, 'field_ccd2.fits');
    await aaorun(work, ['splice', `field_ccd1.fits ${path.relative(work, redFile)}`, '-idxfile', 'sim.idx', '-OUTPUT_FILE', 'field_spliced.fits']);
    const s = await plane(path.join(work, 'field_spliced.fits'));
    const b = await plane(path.join(work, 'field_ccd1.fits'));
    const r = await plane(redFile);
    const g = (p: Plane) => ({ start: p.header.number('CRVAL1')! - (p.header.number('CRPIX1')! - 1) * p.header.number('CDELT1')!, step: p.header.number('CDELT1')!, n: p.width });
    const gs = g(s);
    const gb = g(b);
    const gr = g(r);
    expect(gs.start).toBeCloseTo(gb.start, 6);
    expect(gs.step).toBeCloseTo(gb.step, 9);
    expect(gs.start + (gs.n - 1) * gs.step).toBeGreaterThan(gr.start + (gr.n - 1.5) * gr.step);
    const f = truth.fields[0].fibres.findIndex((x) => x.type === 'P' && (x.magnitude ?? 99) < 18);
    // Blue-only pixels: the spliced grid is the blue grid, so values are the blue ones.
    for (const k of [10, 50, 100]) expect(s.data[f * gs.n + k]).toBeCloseTo(b.data[f * gb.n + k], 1);
    // Red-only region: counts are conserved by the rebinning to the finer step.
    const lo = gb.start + gb.n * gb.step + 50;
    const hi = gr.start + (gr.n - 10) * gr.step;
    const sum = (p: Plane, q: ReturnType<typeof g>) => {
      let t = 0;
      for (let k = 0; k < q.n; k++) {
        const lam = q.start + k * q.step;
        if (lam - q.step / 2 >= lo && lam + q.step / 2 <= hi && Number.isFinite(p.data[f * q.n + k])) t += p.data[f * q.n + k];
      }
      return t;
    };
    expect(sum(s, gs) / sum(r, gr)).toBeCloseTo(1, 1);
  });

  it('writes products astropy reads as 2dFdr products: HDUs, WCS, REDUCTION_ARGS, HISTORY, TDFDRVER', () => {
    const w = arms.blue.work;
    const { flat, arc, objects } = arms.blue.runs;
    const script = `
import json, sys
from astropy.io import fits
out = {}
for name in sys.argv[1:]:
    with fits.open(name) as h:
        h.verify('exception')
        p = h[0].header
        out[name] = {'hdus': [x.name for x in h], 'history': [str(x) for x in p.get('HISTORY', [])],
                     'wcs': [p.get(k) for k in ('CRVAL1', 'CDELT1', 'CRPIX1', 'CTYPE1')], 'ver': p.get('TDFDRVER'),
                     'args': {k.strip(): v.strip() for k, v in fits.getdata(name, 'REDUCTION_ARGS')} if 'REDUCTION_ARGS' in h else None,
                     'fibres': len(h['FIBRES'].data) if 'FIBRES' in h else None,
                     'types': ''.join(h['FIBRES'].data['TYPE'][:50]) if 'FIBRES' in h else None}
print(json.dumps(out))`;
    const files = [`${objects[0]}red.fits`, `${arc}red.fits`, `${flat}tlm.fits`, `${flat}red.fits`, 'BIAScombined.fits', 'field_ccd1.fits'];
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...files], { cwd: w, encoding: 'utf8', timeout: 60000 }));
    const obj = out[files[0]];
    expect(obj.hdus).toEqual(['PRIMARY', 'VARIANCE', 'FIBRES', 'SKY', 'THPUT', 'REDUCTION_ARGS', 'NDF_CLASS']);
    expect(obj.fibres).toBe(400);
    expect(obj.types).toMatch(/^[PSFNU]{50}$/);
    expect(obj.wcs[3]).toBe('Wavelength');
    expect(obj.ver).toMatch(/^drsoda-aaorun /);
    expect(obj.args.TPMETH).toBe('SKYFLUX(MED)');
    expect(obj.args.TLMAP_FILENAME).toBe(`${flat}tlm.fits`);
    expect(obj.args.LACOSMIC).toBe('OBJECT ONLY');
    expect(obj.history.join('\n')).toMatch(/Subtracted bias frame BIAScombined\.fits[\s\S]*GAUSS extracting using tram map[\s\S]*Divided by fibre flat field[\s\S]*Sky subtracted/);
    expect(out[files[1]].hdus).toEqual(['PRIMARY', 'VARIANCE', 'FIBRES', 'WAVELA', 'SHIFTS', 'NDF_CLASS', 'REDUCTION_ARGS']);
    expect(out[files[2]].hdus).toEqual(['PRIMARY', 'SIGMAPRF', 'WAVELA', 'FIBRES']);
    expect(out[files[3]].hdus).toContain('THPUT');
    expect(out[files[4]].hdus).toEqual(['PRIMARY', 'VARIANCE', 'NDF_CLASS', 'REDUCTION_ARGS']);
    expect(out[files[5]].hdus.slice(0, 4)).toEqual(['PRIMARY', 'VARIANCE', 'FIBRES', 'SKY']);
  });
});
