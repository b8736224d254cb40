// astropy (Debian python3-astropy, warnings as errors) reads every file of a simulated night: headers verify,
// pixels are uint16 of the right shape with the same sums we read, and the 2dF tables are complete.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findHdu, readHeaders, readImage, readTable } from '../../src/fits/index.js';
import { simulateNight, type NightSummary } from '../../src/simulate/index.js';

const run = promisify(execFile);
let dir: string;
let night: NightSummary;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sim-astropy-'));
  night = await simulateNight({ outDir: dir, night: '2014-09-26', size: 'small', fields: 2, objects: 2, biases: 2, darks: 2, lflats: 2, seed: 3, concurrency: 0 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const script = `
import json, sys
import numpy as np
from astropy.io import fits
out = {}
for name in sys.argv[1:]:
    with fits.open(name) as f:
        f.verify('exception')
        p = f[0]
        d = {'names': [h.name for h in f], 'dtype': str(p.data.dtype), 'shape': list(p.data.shape),
             'sum': int(p.data.astype(np.int64).sum()), 'ndfclass': p.header['NDFCLASS'],
             'table_class': f['STRUCT.MORE.NDF_CLASS'].data['NAME'][0]}
        if 'STRUCT.MORE.FIBRES' in f:
            t = f['STRUCT.MORE.FIBRES'].data
            d['fibres'] = {'rows': len(t), 'types': ''.join(t['TYPE']), 'ra0': float(t['RA'][0]), 'pivot_nulls': int(np.sum(t['SWITCHPARTNER'] == -32768))}
        out[name] = d
print(json.dumps(out))
`;

describe('astropy reads the simulator output', () => {
  it('opens every frame of a night without warnings and sees what we wrote', async () => {
    const files = night.frames.map((f) => f.file);
    expect(files).toHaveLength(2 * (6 + 2 * 4));
    const { stdout } = await run('/usr/bin/python3', ['-W', 'error', '-c', script, ...files], { timeout: 60000, maxBuffer: 1 << 24 });
    const got = JSON.parse(stdout);
    for (const f of night.frames) {
      const d = got[f.file];
      const hdus = await readHeaders(f.file);
      const img = await readImage(f.file, hdus[0]);
      expect([f.relPath, d.dtype, d.shape, d.ndfclass, d.table_class]).toEqual([f.relPath, 'uint16', [4098, 272], f.ndfClass, f.ndfClass]);
      let sum = 0;
      for (const v of img.data) sum += v;
      expect(d.sum).toBe(sum);
      const fibres = findHdu(hdus, 'FIBRES');
      expect(d.names).toEqual(fibres ? ['PRIMARY', 'STRUCT.MORE.FIBRES', 'STRUCT.MORE.NDF_CLASS'] : ['PRIMARY', 'STRUCT.MORE.NDF_CLASS']);
      if (fibres) {
        const t = await readTable(f.file, fibres);
        expect(d.fibres).toEqual({ rows: 400, types: (t.column('TYPE')!.values as string[]).join(''), ra0: t.column('RA')!.values[0], pivot_nulls: 400 });
      }
    }
  });
});
