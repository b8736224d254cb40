// A small simulated night, checked file by file: layout, names, primary headers and the 2dF tables.
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findHdu, readHeaders, readTable, type Hdu } from '../../src/fits/index.js';
import { simulateNight, type NightSummary, type NightTruth } from '../../src/simulate/index.js';

let dir: string;
let night: NightSummary;
let truth: NightTruth;
const headers = new Map<string, Hdu[]>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sim-night-'));
  night = await simulateNight({ outDir: dir, night: '2014-09-26', size: 'small', fields: 2, objects: 2, biases: 2, darks: 1, lflats: 1, seed: 7, concurrency: 0 });
  truth = JSON.parse(await readFile(night.truthFile, 'utf8'));
  for (const f of night.frames) headers.set(f.relPath, await readHeaders(f.file));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const classes = {
  BIAS: { RUNCMD: 'BIAS', OBSTYPE: 'BIAS', FLAPS: 'CLOSED', LAMPNAME: '' },
  DARK: { RUNCMD: 'DARK', OBSTYPE: 'DARK', FLAPS: 'CLOSED', LAMPNAME: '' },
  LFLAT: { RUNCMD: 'FLAT', OBSTYPE: 'FLAT', FLAPS: 'CLOSED', LAMPNAME: '75W' },
  MFFFF: { RUNCMD: 'FLAT', OBSTYPE: 'FLAT', FLAPS: 'CLOSED', LAMPNAME: '75W' },
  MFARC: { RUNCMD: 'ARC', OBSTYPE: 'ARC', FLAPS: 'CLOSED', LAMPNAME: 'CuAr' },
  MFOBJECT: { RUNCMD: 'RUN', OBSTYPE: 'OBJECT', FLAPS: 'OPEN', LAMPNAME: '' },
};

describe('simulated night', () => {
  it('lays files out as YYMMDD/ccd_N/DDmmmNRRRR.fits with the same runs on both arms', async () => {
    expect(night.nightDir).toBe(path.join(dir, '140926'));
    const blue = await readdir(path.join(night.nightDir, 'ccd_1'));
    const red = await readdir(path.join(night.nightDir, 'ccd_2'));
    const runs = Array.from({ length: 4 + 2 * 4 }, (_, i) => String(i + 1).padStart(4, '0'));
    expect(blue.sort()).toEqual(runs.map((r) => `26sep1${r}.fits`));
    expect(red.sort()).toEqual(runs.map((r) => `26sep2${r}.fits`));
    expect(night.frames).toHaveLength(24);
    expect(night.frames[0]).toMatchObject({ run: 1, arm: 'blue', ccd: 1, ndfClass: 'BIAS', relPath: '140926/ccd_1/26sep10001.fits' });
    expect(truth).toMatchObject({ format: 'drsoda-simulator-truth', version: 1, night: '2014-09-26', seed: 7, size: 'small' });
  });

  it('writes class-consistent primary headers (domain notes 2.3) and an identical NDF_CLASS table', async () => {
    for (const f of night.frames) {
      const hdus = headers.get(f.relPath)!;
      const h = hdus[0].header;
      const e = truth.exposures[f.run - 1];
      expect([f.relPath, h.string('NDFCLASS')]).toEqual([f.relPath, e.ndfClass]);
      const ndf = await readTable(f.file, findHdu(hdus, 'NDF_CLASS')!);
      expect(ndf.column('NAME')?.values).toEqual([e.ndfClass]);
      for (const [k, v] of Object.entries(classes[e.ndfClass])) expect([f.relPath, k, h.string(k)]).toEqual([f.relPath, k, v]);
      expect(h.number('RUN')).toBe(f.run);
      expect(h.number('OBSNUM')).toBe(f.run);
      expect(h.string('INSTRUME')).toBe('AAOMEGA-2dF');
      expect(h.number('EXPOSED')).toBe(e.exposedS);
      expect(h.get('EXPTIME')).toBeUndefined();
      expect(h.string('UTDATE')).toBe('2014:09:26');
      expect(h.string('UTSTART')).toBe(e.utStart);
      const [hh, mm, ss] = e.utStart.split(':').map(Number);
      expect(h.number('UTMJD')).toBeCloseTo(56926 + (hh * 3600 + mm * 60 + ss) / 86400, 9);
      expect([h.number('NAXIS1'), h.number('NAXIS2'), h.number('BZERO'), h.number('BITPIX')]).toEqual([272, 4098, 32768, 16]);
      expect([h.number('DETECXS'), h.number('DETECXE')]).toEqual([1, 256]);
      const arm = f.arm === 'blue'
        ? { SPECTID: 'BL', GRATID: '580V', LAMBDAC: 4800, DETECTOR: 'E2V2A', RO_GAIN: 1.88, RO_NOISE: 3.61 }
        : { SPECTID: 'RD', GRATID: '385R', LAMBDAC: 7250, DETECTOR: 'E2V3A', RO_GAIN: 1.74, RO_NOISE: 3.35 };
      for (const [k, v] of Object.entries(arm)) expect(h.get(k)).toBe(v);
      expect(h.number('DISPERS')).toBeCloseTo((f.arm === 'blue' ? 1.04 : 1.6) * 8, 3);
      expect(h.string('FILEORIG')).toBe(`/data/aatobs/OptDet_data/140926/${f.relPath.slice(7)}`);
      const field = e.field === null ? undefined : truth.fields[e.field];
      expect(h.string('CFG_FILE')).toBe(field?.cfgFile ?? '');
      expect(h.string('SOURCE')).toBe(field ? `Plate ${field.plate}` : '');
      if (field) expect([h.number('MEANRA'), h.number('MEANDEC')]).toEqual([field.centreRaDeg, field.centreDecDeg]);
      // Fields are observed above the horizon (the archive derives the airmass from ZDSTART); calibrations at the zenith.
      expect(h.number('ZDSTART')!).toBeGreaterThanOrEqual(0);
      expect(h.number('ZDSTART')!).toBeLessThan(field ? 75 : 0.01);
      expect(findHdu(hdus, 'FIBRES') !== undefined).toBe(field !== undefined);
      expect(hdus.some((x) => x.extname === 'VARIANCE')).toBe(false);
    }
  });

  it('gives both arms of an exposure the same run, UT, object and fibre table', async () => {
    for (const e of truth.exposures) {
      const [b, r] = [headers.get(`140926/${e.files.blue}`)!, headers.get(`140926/${e.files.red}`)!];
      for (const k of ['RUN', 'UTSTART', 'UTMJD', 'OBJECT', 'CFG_FILE', 'SOURCE', 'EXPOSED']) expect(b[0].header.get(k)).toEqual(r[0].header.get(k));
      if (e.field !== null) {
        const tb = await readTable(path.join(night.nightDir, e.files.blue), findHdu(b, 'FIBRES')!);
        const tr = await readTable(path.join(night.nightDir, e.files.red), findHdu(r, 'FIBRES')!);
        expect(tb.columns).toEqual(tr.columns);
      }
    }
    const starts = truth.exposures.map((e) => e.utStartS);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('writes the 400-fibre STRUCT.MORE.FIBRES table of domain notes 2.4 with RA/DEC in radians', async () => {
    const expected = [['NAME', '80A'], ['RA', '1D'], ['DEC', '1D'], ['X', '1J'], ['Y', '1J'], ['XERR', '1I'], ['YERR', '1I'], ['THETA', '1D'], ['TYPE', '1A'],
      ['PIVOT', '1I'], ['MAGNITUDE', '1D'], ['PID', '1J'], ['COMMENT', '80A'], ['RETRACTOR', '10A'], ['SWITCHFIELD', '1A'], ['SWITCHPARTNER', '1I'], ['WLEN', '1D']];
    for (const field of truth.fields) {
      const e = truth.exposures.find((x) => x.field === field.index && x.ndfClass === 'MFOBJECT')!;
      const file = path.join(night.nightDir, e.files.red);
      const hdus = headers.get(`140926/${e.files.red}`)!;
      const hdu = findHdu(hdus, 'FIBRES')!;
      expect(hdu.extname).toBe('STRUCT.MORE.FIBRES');
      expect(hdu.header.string('FILENAME')).toBe(field.cfgFile);
      expect(hdu.header.number('CENRA')).toBeCloseTo((field.centreRaDeg * Math.PI) / 180, 12);
      const t = await readTable(file, hdu);
      expect(t.nrows).toBe(400);
      expect(t.columns.map((c) => [c.name, c.tform])).toEqual(expected);
      const type = t.column('TYPE')!.values as string[];
      const count = (x: string) => type.filter((v) => v === x).length;
      expect([count('F'), count('S'), count('N')]).toEqual([8, 25, 3]);
      expect(count('P') + count('U')).toBe(364);
      expect(count('P')).toBeGreaterThan(300);
      expect(type.flatMap((v, i) => (v === 'F' ? [i + 1] : []))).toEqual([50, 100, 150, 200, 250, 300, 350, 400]);
      expect(hdu.header.number('ALLOCSKY')).toBe(25);
      const ra = t.column('RA')!.values as number[];
      const dec = t.column('DEC')!.values as number[];
      type.forEach((ty, i) => {
        if (ty !== 'P' && ty !== 'S') return;
        const dDec = (dec[i] * 180) / Math.PI - field.centreDecDeg;
        const dRa = ((ra[i] * 180) / Math.PI - field.centreRaDeg) * Math.cos((field.centreDecDeg * Math.PI) / 180);
        expect(Math.hypot(dRa, dDec)).toBeLessThan(1.001);
      });
      expect(t.column('NAME')!.values.filter((n, i) => type[i] === 'P').every((n) => /^J\d{6}\.\d{2}[+-]\d{6}\.\d$/.test(n as string))).toBe(true);
      expect(t.column('MAGNITUDE')!.values.filter((m, i) => type[i] === 'S')).toEqual(Array(25).fill(null));
      expect(t.column('SWITCHPARTNER')!.values.every((v) => v === null)).toBe(true);
    }
    expect(truth.fields.map((f) => f.plate)).toEqual([0, 1]);
  });
});
