import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeFits, findHdu, Header, readHeaders, readImage, writeFits, type HduSpec } from '../../src/fits/index.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'fits-image-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const ramp = <T extends { length: number; [i: number]: number }>(a: T, f: (i: number) => number): T => {
  for (let i = 0; i < a.length; i++) a[i] = f(i);
  return a;
};

describe('FITS images', () => {
  it('round-trips BITPIX 16 unsigned (BZERO 32768), 16 signed, 32, -32 and -64 images', async () => {
    const u16 = ramp(new Uint16Array(7 * 5), (i) => (i * 1999) % 65536);
    u16[0] = 0;
    u16[1] = 65535;
    const i16 = ramp(new Int16Array(4 * 3), (i) => i * 2731 - 16000);
    const i32 = ramp(new Int32Array(5), (i) => i * 1e9 - 2e9);
    const f32 = ramp(new Float32Array(3 * 2 * 2), (i) => i / 3 - 1);
    f32[5] = NaN;
    const f64 = ramp(new Float64Array(9), (i) => Math.PI * 10 ** (i * 30 - 120));
    const file = path.join(dir, 'images.fits');
    await writeFits(file, [
      { kind: 'image', axes: [7, 5], bitpix: 16, data: u16, header: new Header().set('OBJECT', 'bias') },
      { kind: 'image', extname: 'I16', axes: [4, 3], bitpix: 16, data: i16 },
      { kind: 'image', extname: 'I32', axes: [5], bitpix: 32, data: i32 },
      { kind: 'image', extname: 'F32', axes: [3, 2, 2], bitpix: -32, data: f32 },
      { kind: 'image', extname: 'F64', axes: [9], bitpix: -64, data: f64 },
    ]);
    const hdus = await readHeaders(file);
    expect(hdus.map((h) => h.extname)).toEqual([undefined, 'I16', 'I32', 'F32', 'F64']);
    expect(hdus[0].header.get('BZERO')).toBe(32768);
    const p = await readImage(file, hdus[0]);
    expect([p.width, p.height, p.data.constructor]).toEqual([7, 5, Float32Array]);
    expect(Array.from(p.data)).toEqual(Array.from(u16));
    expect(Array.from((await readImage(file, hdus[1])).data)).toEqual(Array.from(i16));
    const j = await readImage(file, findHdu(hdus, 'i32')!);
    expect([j.width, j.height]).toEqual([5, 1]);
    expect(Array.from(j.data)).toEqual(Array.from(i32).map(Math.fround));
    const f = await readImage(file, hdus[3]);
    expect(f.axes).toEqual([3, 2, 2]);
    expect(f.data).toEqual(f32);
    const d = await readImage(file, hdus[4]);
    expect(d.data).toBeInstanceOf(Float64Array);
    expect(Array.from(d.data)).toEqual(Array.from(f64));
    expect(u16[1]).toBe(65535); // inputs are not modified by the writer
  });

  it('lays data out row-major with x fastest (NAXIS1 = width)', async () => {
    const data = ramp(new Float32Array(4 * 3), (i) => i);
    const file = path.join(dir, 'layout.fits');
    await writeFits(file, [{ kind: 'image', axes: [4, 3], bitpix: -32, data }]);
    const img = await readImage(file, (await readHeaders(file))[0]);
    expect(img.data[2 * 4 + 1]).toBe(9); // x = 1, y = 2
    expect((await stat(file)).size % 2880).toBe(0);
  });

  it('applies BSCALE/BZERO and BLANK written by other software', async () => {
    const header = ['SIMPLE  =                    T', 'BITPIX  =                   16', 'NAXIS   =                    1',
      'NAXIS1  =                    3', 'BSCALE  =                  0.5', 'BZERO   =                 10.0', 'BLANK   =                   -1', 'END']
      .map((r) => r.padEnd(80)).join('').padEnd(2880);
    const data = Buffer.alloc(2880);
    data.writeInt16BE(4, 0);
    data.writeInt16BE(-1, 2);
    data.writeInt16BE(-20, 4);
    const file = path.join(dir, 'scaled.fits');
    await writeFile(file, Buffer.concat([Buffer.from(header, 'latin1'), data]));
    const img = await readImage(file, (await readHeaders(file))[0]);
    expect(Array.from(img.data)).toEqual([12, NaN, 0]);
  });

  it('finds extensions by EXTNAME or by a dotted suffix, case-insensitively', async () => {
    const spec = (extname: string): HduSpec => ({ kind: 'table', extname, columns: [{ name: 'NAME', tform: '8A', values: [extname.slice(0, 8)] }] });
    const file = path.join(dir, 'names.fits');
    await writeFits(file, [{ kind: 'image', axes: [], bitpix: 16, data: new Uint16Array(0) }, spec('STRUCT.MORE.FIBRES'), spec('STRUCT.MORE.NDF_CLASS'), spec('FIBRES_IFU')]);
    const hdus = await readHeaders(file);
    expect(findHdu(hdus, 'fibres')?.index).toBe(1);
    expect(findHdu(hdus, 'NDF_CLASS')?.index).toBe(2);
    expect(findHdu(hdus, 'MORE.NDF_CLASS')?.index).toBe(2);
    expect(findHdu(hdus, 'fibres_ifu')?.index).toBe(3);
    expect(findHdu(hdus, 'primary')?.index).toBe(0);
    expect(findHdu(hdus, 'CLASS')).toBeUndefined();
    expect(findHdu(hdus, 'VARIANCE')).toBeUndefined();
  });

  it('reads headers without reading data: an 8 GB sparse data area is skipped by offset', async () => {
    const file = path.join(dir, 'sparse.fits');
    const gb8 = 2880 * 3_000_000; // 8.6 GB, larger than any Node Buffer, so loading it would throw
    const primary = encodeFits([{ kind: 'image', axes: [], bitpix: 16, data: new Int16Array(0) }]).toString('latin1')
      .replace('NAXIS   =                    0', 'NAXIS   =                    1').replace('EXTEND  =', `${`NAXIS1  = ${String(gb8 / 2).padStart(20)}`.padEnd(80)}EXTEND  =`);
    const ext = encodeFits([{ kind: 'image', axes: [], bitpix: 16, data: new Int16Array(0) },
      { kind: 'image', extname: 'AFTER', axes: [2], bitpix: -32, data: new Float32Array([1, 2]) }]).subarray(2880);
    const fh = await open(file, 'w');
    await fh.write(Buffer.from(primary.slice(0, 2880), 'latin1'), 0, 2880, 0);
    await fh.write(ext, 0, ext.length, 2880 + gb8);
    await fh.close();
    const started = process.hrtime.bigint();
    const hdus = await readHeaders(file);
    expect(hdus.map((h) => [h.extname, h.dataOffset, h.dataLength])).toEqual([[undefined, 2880, gb8], ['AFTER', 2880 + gb8 + 2880, 8]]);
    expect(Array.from((await readImage(file, hdus[1])).data)).toEqual([1, 2]);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
  });

  it('encodeFits and writeFits produce the same bytes', async () => {
    const hdus: HduSpec[] = [{ kind: 'image', axes: [2, 2], bitpix: -64, data: new Float64Array([1, 2, 3, 4]), header: new Header().set('A', 'b') }];
    const file = path.join(dir, 'same.fits');
    await writeFits(file, hdus);
    expect((await readFile(file)).equals(encodeFits(hdus))).toBe(true);
  });
});
