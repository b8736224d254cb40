import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeFits, FitsError, Header, readHeaders, readImage, readTable, writeFits, type HduSpec } from '../../src/fits/index.js';

let dir: string;
let good: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fits-errors-'));
  good = encodeFits([
    { kind: 'image', axes: [100, 50], bitpix: 16, data: new Uint16Array(5000), header: new Header().set('OBJECT', 'x') },
    { kind: 'table', extname: 'FIBRES', columns: [{ name: 'N', tform: '1J', values: [1, 2, 3] }] },
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function bytes(name: string, b: Buffer | string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, b);
  return file;
}

describe('corrupted and truncated FITS files', () => {
  it.each([
    ['empty', () => Buffer.alloc(0), /empty file/],
    ['text', () => Buffer.from('hello world\n'.repeat(300)), /not a FITS file/],
    ['cut in the primary header', () => good.subarray(0, 1000), /truncated header in HDU 0/],
    ['cut in the primary data', () => good.subarray(0, 2880 + 5000), /truncated data in HDU 0/],
    ['cut in the extension header', () => good.subarray(0, 2880 * 5 + 100), /truncated header in HDU 1/],
    ['garbage after the primary', () => Buffer.concat([good.subarray(0, 2880 * 5), Buffer.from('x'.repeat(2880))]), /unexpected bytes at offset 14400/],
    ['binary bytes in a header', () => Buffer.concat([good.subarray(0, 100), Buffer.alloc(2780, 1)]), /missing END/],
    ['bad BITPIX', () => Buffer.from(good.toString('latin1').replace('BITPIX  =                   16', 'BITPIX  =                   17'), 'latin1'), /invalid BITPIX 17/],
    ['bad NAXIS1', () => Buffer.from(good.toString('latin1').replace('NAXIS1  =                  100', "NAXIS1  = 'wide'              "), 'latin1'), /invalid NAXIS1/],
  ])('%s gives a FitsError', async (name, make, message) => {
    const file = await bytes(`${name}.fits`, make());
    const err = await readHeaders(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitsError);
    expect((err as FitsError).message).toMatch(message);
    expect((err as FitsError).message).toContain(file);
  });

  it('tolerates blank padding after the last HDU', async () => {
    const file = await bytes('padded.fits', Buffer.concat([good, Buffer.alloc(2880)]));
    expect(await readHeaders(file)).toHaveLength(2);
  });

  it('refuses to read a table as an image and an image as a table', async () => {
    const file = await bytes('ok.fits', good);
    const [img, tab] = await readHeaders(file);
    await expect(readImage(file, tab)).rejects.toThrow(/is a BINTABLE, not an image/);
    await expect(readTable(file, img)).rejects.toThrow(/primary image, not a binary table/);
  });

  it('reports a file truncated after its headers were read', async () => {
    const file = await bytes('shrinks.fits', good);
    const hdus = await readHeaders(file);
    await writeFile(file, good.subarray(0, 3000));
    await expect(readImage(file, hdus[0])).rejects.toThrow(FitsError);
  });

  it('refuses specs it cannot write and leaves no partial file', async () => {
    const file = path.join(dir, 'never.fits');
    const bad: HduSpec[][] = [
      [],
      [{ kind: 'table', extname: 'T', columns: [] }],
      [{ kind: 'image', axes: [3], bitpix: 16, data: new Float32Array(3) }],
      [{ kind: 'image', axes: [4], bitpix: -32, data: new Float32Array(3) }],
      [{ kind: 'image', axes: [1], bitpix: -32, data: new Float32Array(1), header: new Header().set('BAD', NaN) }],
    ];
    for (const hdus of bad) await expect(writeFits(file, hdus)).rejects.toThrow(FitsError);
    expect((await readdir(dir)).filter((f) => f.includes('never'))).toEqual([]);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});
