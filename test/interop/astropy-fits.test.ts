// Interop with Debian's python3-astropy: files we write open without warnings; files astropy writes read back here.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findHdu, Header, readHeaders, readImage, readTable, writeFits } from '../../src/fits/index.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'fits-astropy-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs Python with every warning turned into an error, so any astropy complaint fails the test. */
async function python(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', ['-W', 'error', '-c', script, ...args], { timeout: 30000 });
  return stdout;
}

const describeFile = `
import json, sys, math
from astropy.io import fits
def cell(v):
    if hasattr(v, 'item'): v = v.item()
    if isinstance(v, float) and math.isnan(v): return 'NaN'
    if isinstance(v, bytes): v = v.decode()
    return v
out = []
with fits.open(sys.argv[1]) as f:
    f.verify('exception')
    for h in f:
        d = {'name': h.name, 'header': {k: (v if not isinstance(v, fits.card.Undefined) else None) for k, v in h.header.items() if k not in ('HISTORY', 'COMMENT', '')}}
        d['history'] = [str(x) for x in h.header.get('HISTORY', [])]
        if isinstance(h, fits.BinTableHDU):
            d['columns'] = {c.name: [cell(v) for v in h.data[c.name]] for c in h.columns}
            d['nulls'] = {c.name: c.null for c in h.columns if c.null is not None}
        elif h.data is not None:
            d['dtype'] = str(h.data.dtype); d['shape'] = list(h.data.shape); d['data'] = [cell(v) for v in h.data.ravel()]
        out.append(d)
print(json.dumps(out))
`;

describe('astropy interop', () => {
  it('astropy opens what we write without warnings and sees the same values', async () => {
    const file = path.join(dir, 'ours.fits');
    const long = `${'a'.repeat(90)}'${'b'.repeat(60)}`;
    const header = new Header()
      .set('OBJECT', 'G23_Y7_015', 'Object name')
      .set('EXPOSED', 1800.5, 'Exposure time (seconds)')
      .set('RUN', 23)
      .set('UTMJD', 56926.46010416667)
      .set('FLAG', false)
      .set('UNDEF', null, 'no value')
      .set('FILEORIG', long, 'a long string')
      .history('Subtracted bias frame')
      .comment('simulated');
    await writeFits(file, [
      { kind: 'image', header, axes: [3, 2], bitpix: 16, data: new Uint16Array([0, 1, 32767, 32768, 65534, 65535]) },
      { kind: 'image', extname: 'VARIANCE', axes: [2, 2], bitpix: -32, data: new Float32Array([0.5, NaN, -2, 1e30]) },
      { kind: 'image', extname: 'WAVELA', axes: [3], bitpix: -64, data: new Float64Array([480.0123456789, 480.1, 480.2]) },
      { kind: 'image', extname: 'RAWINT', axes: [2], bitpix: 32, data: new Int32Array([-2147483648, 2147483647]) },
      {
        kind: 'table',
        extname: 'STRUCT.MORE.FIBRES',
        header: new Header().set('CENRA', 6.08, 'rad'),
        columns: [
          { name: 'NAME', tform: '80A', values: ['Sky-1', "it's"] },
          { name: 'RA', tform: '1D', unit: 'radians', values: [6.08, null] },
          { name: 'X', tform: '1J', tnull: -2147483648, values: [-1000, null] },
          { name: 'PIVOT', tform: '1I', tnull: -32768, values: [400, null] },
          { name: 'BIG', tform: '1K', tnull: 0, values: [2n ** 60n + 1n, null] },
          { name: 'MAG', tform: '1E', values: [19.25, null] },
          { name: 'TYPE', tform: '1A', values: ['S', 'P'] },
        ],
      },
    ]);
    const got = JSON.parse(await python(describeFile, file));
    expect(got.map((h: { name: string }) => h.name)).toEqual(['PRIMARY', 'VARIANCE', 'WAVELA', 'RAWINT', 'STRUCT.MORE.FIBRES']);
    const [p, v, w, j, t] = got;
    expect(p.dtype).toBe('uint16');
    expect(p.shape).toEqual([2, 3]);
    expect(p.data).toEqual([0, 1, 32767, 32768, 65534, 65535]);
    expect(p.header).toMatchObject({ OBJECT: 'G23_Y7_015', EXPOSED: 1800.5, RUN: 23, UTMJD: 56926.46010416667, FLAG: false, UNDEF: null, FILEORIG: long });
    expect(p.history).toEqual(['Subtracted bias frame']);
    expect(v.dtype).toBe('>f4');
    expect(v.data).toEqual([0.5, 'NaN', -2, Math.fround(1e30)]);
    expect(w.data).toEqual([480.0123456789, 480.1, 480.2]);
    expect(j.data).toEqual([-2147483648, 2147483647]);
    expect(t.header.CENRA).toBe(6.08);
    expect(t.columns.NAME).toEqual(['Sky-1', "it's"]);
    expect(t.columns.RA).toEqual([6.08, 'NaN']);
    expect(t.columns.X).toEqual([-1000, -2147483648]);
    expect(t.nulls).toEqual({ X: -2147483648, PIVOT: -32768, BIG: 0 });
    expect(t.columns.BIG).toEqual([2 ** 60 + 1, 0]);
    expect(t.columns.MAG).toEqual([19.25, 'NaN']);
    expect(t.columns.TYPE).toEqual(['S', 'P']);
  });

  it('reads what astropy writes: CONTINUE, HISTORY, uint16, float images and tables with TNULL', async () => {
    const file = path.join(dir, 'theirs.fits');
    await python(`
import sys, numpy as np
from astropy.io import fits
p = fits.PrimaryHDU(np.array([[0, 1, 40000], [65535, 7, 8]], dtype=np.uint16))
p.header['OBJECT'] = ('field', 'a comment')
p.header['LONGSTR'] = 'x' * 100 + 'end'
p.header['EXPOSED'] = 1800.0
p.header['HISTORY'] = 'made by astropy'
img = fits.ImageHDU(np.arange(6, dtype='>f8').reshape(2, 3) / 4, name='SCI')
cols = [fits.Column(name='NAME', format='10A', array=np.array(['a', 'bb'])),
        fits.Column(name='PIVOT', format='I', null=-99, array=np.array([1, -99], dtype=np.int16)),
        fits.Column(name='K', format='K', array=np.array([2**62, -5], dtype=np.int64)),
        fits.Column(name='E', format='E', array=np.array([1.5, np.nan], dtype=np.float32))]
t = fits.BinTableHDU.from_columns(cols, name='STRUCT.MORE.FIBRES')
fits.HDUList([p, img, t]).writeto(sys.argv[1], overwrite=True)
`, file);
    const hdus = await readHeaders(file);
    expect(hdus[0].header.string('OBJECT')).toBe('field');
    expect(hdus[0].header.string('LONGSTR')).toBe(`${'x'.repeat(100)}end`);
    expect(hdus[0].header.number('EXPOSED')).toBe(1800);
    expect(hdus[0].header.historyLines()).toEqual(['made by astropy']);
    const p = await readImage(file, hdus[0]);
    expect([p.width, p.height, Array.from(p.data)]).toEqual([3, 2, [0, 1, 40000, 65535, 7, 8]]);
    const sci = await readImage(file, findHdu(hdus, 'sci')!);
    expect(Array.from(sci.data)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    const t = await readTable(file, findHdu(hdus, 'FIBRES')!);
    expect(t.column('NAME')?.values).toEqual(['a', 'bb']);
    expect(t.column('PIVOT')?.values).toEqual([1, null]);
    expect(t.column('K')?.values).toEqual([2n ** 62n, -5]);
    expect(t.column('E')?.values).toEqual([1.5, null]);
  });
});
