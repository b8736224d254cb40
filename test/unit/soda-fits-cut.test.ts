// The FITS and VOTable writers of a cut on a small synthetic 2dFdr-style product whose every pixel value encodes
// its (row, column): the exact pixels, rows, per-fibre vectors and WCS that must survive, and what does not apply.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findHdu, Header, readHeaders, readImage, readTable, writeFits } from '../../src/fits/index.js';
import { NoOverlap } from '../../src/cutout/cut.js';
import { writeFitsCut } from '../../src/cutout/fits-cut.js';
import { CutNotApplicable, openProduct, selectCut } from '../../src/cutout/product-file.js';
import { writeVotableCut } from '../../src/cutout/votable-cut.js';
import { expectValid } from '../support/xsd.js';

const nPix = 50;
const nRows = 6;
const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-cut-'));
const rad = Math.PI / 180;
// Fibres 1-6 along RA at Dec 0; fibre 4 is parked (U) at the field centre, fibre 6 is sky.
const ra = [10, 10.1, 10.2, 10.15, 10.4, 10.5];
const types = ['P', 'P', 'P', 'U', 'P', 'S'];

async function product(): Promise<string> {
  const file = path.join(dir, 'obj.fits');
  const flux = new Float32Array(nPix * nRows).map((_, i) => Math.floor(i / nPix) * 1000 + (i % nPix));
  const variance = flux.map((v) => v + 0.5);
  const h = new Header().set('CRVAL1', 5000).set('CDELT1', 2).set('CRPIX1', 1).set('CTYPE1', 'Wavelength').set('CUNIT1', 'Angstroms');
  h.set('CRVAL2', 1).set('CDELT2', 1).set('CRPIX2', 1).set('OBJECT', 'synthetic');
  await writeFits(file, [
    { kind: 'image', header: h, axes: [nPix, nRows], bitpix: -32, data: flux },
    { kind: 'image', extname: 'VARIANCE', axes: [nPix, nRows], bitpix: -32, data: variance },
    {
      kind: 'table', extname: 'FIBRES', header: new Header().set('CENRA', 10.2 * rad),
      columns: [
        { name: 'NAME', tform: '8A', values: ra.map((_, i) => `F${i + 1}`) },
        { name: 'RA', tform: '1D', unit: 'radians', values: ra.map((a) => a * rad) },
        { name: 'DEC', tform: '1D', unit: 'radians', values: ra.map(() => 0) },
        { name: 'TYPE', tform: '1A', values: types },
        { name: 'PIVOT', tform: '1I', tnull: -32768, values: [1, 2, 3, null, 5, 6] },
      ],
    },
    { kind: 'image', extname: 'SKY', axes: [nPix], bitpix: -32, data: new Float32Array(nPix).map((_, i) => -i) },
    { kind: 'image', extname: 'THPUT', axes: [nRows], bitpix: -32, data: new Float32Array(nRows).map((_, i) => 1 + i / 10) },
    { kind: 'table', extname: 'NDF_CLASS', columns: [{ name: 'NAME', tform: '16A', values: ['MFOBJECT'] }] },
  ]);
  return file;
}

describe('cutting a product', () => {
  let file: string;
  beforeAll(async () => {
    file = await product();
  });

  it('keeps the rows in the region and the pixels in the band, byte for byte, and moves the WCS', async () => {
    const p = await openProduct(file, 'obj.fits');
    // Circle of 0.25 deg around RA 10.1: fibres 1-3 and parked fibre 4 (excluded) lie within it.
    const sel = selectCut(p, { shape: 'circle', raDeg: 10.1, decDeg: 0, radiusDeg: 0.25 }, { value: '5.02e-7 5.03e-7', metres: [5.02e-7, 5.03e-7] });
    expect(sel).toEqual({ rows: [0, 1, 2], pixels: [10, 15] });
    const out = path.join(dir, 'cut.fits');
    const size = await writeFitsCut(p, sel, out, ['asked: CIRCLE 10.1 0 0.25']);
    expect(size).toBe((await readFile(out)).length);
    const hdus = await readHeaders(out);
    expect(hdus.map((h) => h.extname ?? 'PRIMARY')).toEqual(['PRIMARY', 'VARIANCE', 'FIBRES', 'SKY', 'THPUT', 'NDF_CLASS']);
    const flux = await readImage(out, hdus[0]);
    expect(flux.axes).toEqual([6, 3]);
    expect(Array.from(flux.data)).toEqual([0, 1000, 2000].flatMap((r) => [10, 11, 12, 13, 14, 15].map((c) => r + c)));
    expect(Array.from((await readImage(out, findHdu(hdus, 'VARIANCE')!)).data).slice(0, 2)).toEqual([10.5, 11.5]);
    const h = hdus[0].header;
    // Pixel 1 of the cut is at 5020 Angstrom; rows 1-3 are contiguous, so the fibre axis keeps its WCS.
    expect(h.number('CRVAL1')! + (1 - h.number('CRPIX1')!) * h.number('CDELT1')!).toBe(5020);
    expect([h.number('CRPIX2'), h.string('OBJECT')]).toEqual([1, 'synthetic']);
    expect(h.historyLines()).toEqual(['asked: CIRCLE 10.1 0 0.25']);
    const fib = await readTable(out, findHdu(hdus, 'FIBRES')!);
    expect([fib.column('NAME')!.values, fib.column('PIVOT')!.values]).toEqual([['F1', 'F2', 'F3'], [1, 2, 3]]);
    expect(findHdu(hdus, 'FIBRES')!.header.number('CENRA')).toBeCloseTo(10.2 * rad, 12);
    expect(Array.from((await readImage(out, findHdu(hdus, 'SKY')!)).data)).toEqual([-10, -11, -12, -13, -14, -15]);
    expect(Array.from((await readImage(out, findHdu(hdus, 'THPUT')!)).data)).toEqual([1, 1.1, 1.2].map(Math.fround));
  });

  it('drops the fibre-axis WCS when the kept rows are not contiguous', async () => {
    const p = await openProduct(file, 'obj.fits');
    const out = path.join(dir, 'gaps.fits');
    await writeFitsCut(p, { rows: [0, 4], pixels: null }, out, []);
    const h = (await readHeaders(out))[0].header;
    expect([h.number('NAXIS1'), h.number('NAXIS2'), h.has('CRVAL2'), h.number('CRPIX1')]).toEqual([50, 2, false, 1]);
  });

  it('reports no overlap, and filters a product cannot take', async () => {
    const p = await openProduct(file, 'obj.fits');
    expect(() => selectCut(p, { shape: 'circle', raDeg: 200, decDeg: 0, radiusDeg: 1 }, undefined)).toThrow(NoOverlap);
    expect(() => selectCut(p, undefined, { value: '6e-7 7e-7', metres: [6e-7, 7e-7] })).toThrow(/BAND 6e-7 7e-7 \(metres\) does not overlap obj\.fits, which covers 5\.00000e-7 to 5\.09800e-7 m/);
    const bias = path.join(dir, 'bias.fits');
    await writeFits(bias, [{ kind: 'image', axes: [4, 3], bitpix: -32, data: new Float32Array(12) }]);
    const b = await openProduct(bias, 'bias.fits');
    expect(() => selectCut(b, { shape: 'circle', raDeg: 1, decDeg: 1, radiusDeg: 1 }, undefined)).toThrow(CutNotApplicable);
    expect(() => selectCut(b, undefined, { value: '1 2', metres: [1, 2] })).toThrow(/has no linear wavelength axis: BAND does not apply/);
    await expect(writeVotableCut(b, { rows: null, pixels: null }, path.join(dir, 'b.vot'), { id: 'x', description: 'x', params: [] })).rejects.toThrow(/available as application\/fits only/);
  });

  it('writes one VOTable row per kept fibre with its wavelength, flux and variance arrays', async () => {
    const p = await openProduct(file, 'obj.fits');
    const out = path.join(dir, 'cut.vot');
    await writeVotableCut(p, { rows: [1, 5], pixels: [0, 2] }, out, { id: 'ivo://x/aat?a&b', description: 'two <fibres>', params: [{ name: 'BAND', value: '5e-7 5.004e-7' }] });
    const xml = await readFile(out, 'utf8');
    await expectValid(xml, 'votable');
    expect(xml).toContain('<PARAM name="ID" datatype="char" arraysize="*" ucd="meta.id;meta.main" value="ivo://x/aat?a&amp;b"/>');
    expect(xml).toContain('<TR><TD>2</TD><TD>F2</TD><TD>10.1</TD><TD>0</TD><TD>P</TD><TD>5000 5002 5004</TD><TD>1000 1001 1002</TD><TD>1000.5 1001.5 1002.5</TD></TR>');
    expect(xml).toContain('<TR><TD>6</TD><TD>F6</TD><TD>10.5</TD><TD>0</TD><TD>S</TD>');
  });
});
