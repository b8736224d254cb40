// Failures the reducer must report, as the real aaorun process (exit status, stderr, 2dFdr framing):
// a missing or wrong calibration names the option, a corrupted FITS file is a clear error, not a crash.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulateNight } from '../../src/simulate/index.js';
import { finished, projectRoot } from '../support/process.js';
import { aaorun, IDX } from './reducer-pipeline.js';

let work: string;
let root: string;

function run(argv: string[]) {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin/aaorun.js'), ...argv], { cwd: work, env: { ...process.env, NODE_OPTIONS: '', IMP_SCRATCH: path.join(work, 'scratch') }, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child, 60000);
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'reducer-errors-'));
  const sim = await simulateNight({ outDir: path.join(root, 'raw'), night: '2016-09-26', fields: 1, objects: 1, size: 'small', seed: 4, biases: 1, darks: 0, lflats: 0, concurrency: 0 });
  work = path.join(root, 'work');
  mkdirSync(work);
  for (const f of sim.frames.filter((x) => x.ccd === 1)) symlinkSync(f.file, path.join(work, path.basename(f.file)));
  writeFileSync(path.join(work, 'sim.idx'), IDX);
  // A tramline map to point steps at (made in-process: the failures below are what is under test).
  await aaorun(work, ['make_tlm', '26sep10002.fits', '-idxfile', 'sim.idx']);
  const raw = readFileSync(path.join(work, '26sep10004.fits'));
  writeFileSync(path.join(work, 'truncated.fits'), raw.subarray(0, raw.length >> 1));
  const garbled = Buffer.from(raw);
  garbled.write('\x00\x01\x02 not a header \x7f', 2880 - 400, 'latin1');
  writeFileSync(path.join(work, 'garbled.fits'), garbled);
  writeFileSync(path.join(work, 'notfits.fits'), 'SIMPLE? no, this is a text file that happens to end in .fits\n');
}, 120000);

const objectArgs = ['-idxfile', 'sim.idx', '-TLMAP_FILENAME', '26sep10002tlm.fits', '-WAVEL_FILENAME', '26sep10003red.fits', '-FFLAT_FILENAME', '26sep10002red.fits'];

describe('reducer failures', () => {
  it.each([
    ['a reduced arc that was never made', ['reduce_object', '26sep10004.fits', ...objectArgs], 'WAVEL_FILENAME 26sep10003red.fits does not exist'],
    ['no tramline map at all', ['reduce_object', '26sep10004.fits', '-idxfile', 'sim.idx', '-WAVEL_FILENAME', 'x.fits'], 'REDUCE_OBJECT needs a tramline map: -TLMAP_FILENAME is not given'],
    ['a bias asked for but not named', ['reduce_arc', '26sep10003.fits', '-idxfile', 'sim.idx', '-TLMAP_FILENAME', '26sep10002tlm.fits', '-USEBIASIM', '1'], 'USEBIASIM is set but no BIAS_FILENAME was given'],
    ['a tramline map given as the wavelength calibration', ['reduce_fflat', '26sep10002.fits', '-idxfile', 'sim.idx', '-DO_TLMAP', '0', '-TLMAP_FILENAME', '26sep10002tlm.fits', '-WAVEL_FILENAME', '26sep10002tlm.fits'], 'WAVEL_FILENAME 26sep10002tlm.fits has no linear wavelength axis'],
    ['a bias frame traced as a fibre flat', ['make_tlm', '26sep10001.fits', '-idxfile', 'sim.idx', '-TLMAP_FILENAME', 'bias_tlm.fits'], 'cannot make a tramline map from 26sep10001.fits'],
    ['a fibre flat reduced as an arc', ['reduce_arc', '26sep10002.fits', '-idxfile', 'sim.idx', '-TLMAP_FILENAME', '26sep10002tlm.fits'], 'arc lines'],
  ])('names the problem: %s', async (_what, argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toContain(`##!! Error: `);
    expect(r.stdout).toMatch(/Action "REDUCE_[A-Z]+", Task "CMD\d{5}", failed\./);
    expect(r.stdout).not.toContain('Action "EXIT"');
    expect(r.stderr).not.toContain('internal error');
  });

  it.each([
    ['truncated.fits', /cannot read RAW file truncated\.fits: truncated data in HDU 0/],
    ['garbled.fits', /cannot read RAW file garbled\.fits: HDU 0: invalid header block/],
    ['notfits.fits', /cannot read RAW file notfits\.fits: not a FITS file/],
    ['26sep10002im.fits', /RAW file 26sep10002im\.fits is already reduced/],
  ])('refuses the corrupted or wrong input %s with a clear error and no product', async (file, message) => {
    const r = await run(['reduce_bias', file, '-idxfile', 'sim.idx']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout).toMatch(/Action "REDUCE_BIAS", Task "CMD\d{5}", failed\./);
    expect(existsSync(path.join(work, file.replace('.fits', 'red.fits')))).toBe(false);
  });

  it('fails the whole command on the first bad file of several, having reduced the ones before it', async () => {
    const r = await run(['reduce_bias', '26sep10001.fits truncated.fits', '-idxfile', 'sim.idx']);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(work, '26sep10001red.fits'))).toBe(true);
    expect(r.stdout).toContain('Action "REDUCE_BIAS", Task');
    expect(r.stdout.match(/completed\./g)).toHaveLength(1);
  });
});
