// Quick-look PNGs of synthetic products with known content: the PNG decodes, has the documented size, is not
// blank, and shows the data where it should be (an emission line at its wavelength, a gradient the right way).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { FitsError, Header, writeFits } from '../../src/fits/index.js';
import { PREVIEW_WIDTH, renderProductPreview, SPECTRA_PREVIEW_HEIGHT } from '../../src/previews/product-preview.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'preview-render-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const W = 300;
const N = 40;
const LINE_PX = 150; // 4750 Angstrom with CRVAL1 4000, CDELT1 5
const SKY_LINE_PX = 240;
const gauss = (x: number, mu: number, s: number) => Math.exp(-0.5 * ((x - mu) / s) ** 2);
const types = Array.from({ length: N }, (_, r) => (r < 30 ? 'P' : r < 36 ? 'S' : 'N'));

/** A red.fits-like product: 30 targets whose continuum grows with the row, each with a line at LINE_PX. */
async function spectraProduct(file: string): Promise<void> {
  const flux = new Float32Array(N * W);
  const variance = new Float32Array(N * W);
  for (let r = 0; r < N; r++) {
    for (let x = 0; x < W; x++) {
      const c = 50 + 20 * r;
      flux[r * W + x] = types[r] === 'P' ? c + 10 * c * gauss(x, LINE_PX, 2) : types[r] === 'S' ? 30 : NaN;
      variance[r * W + x] = c;
    }
  }
  const sky = Float32Array.from({ length: W }, (_, x) => 30 + 400 * gauss(x, SKY_LINE_PX, 1.5));
  const h = new Header().set('CRVAL1', 4000).set('CDELT1', 5).set('CRPIX1', 1).set('CUNIT1', 'Angstrom').set('OBJECT', 'TEST_FIELD').set('SPECTID', 'BL');
  await writeFits(file, [
    { kind: 'image', axes: [W, N], bitpix: -32, data: flux, header: h },
    { kind: 'image', extname: 'VARIANCE', axes: [W, N], bitpix: -32, data: variance },
    { kind: 'table', extname: 'FIBRES', columns: [
      { name: 'NAME', tform: '20A', values: types.map((t, r) => (t === 'P' ? `target${r + 1}` : t === 'S' ? 'SKY' : 'PARKED')) },
      { name: 'TYPE', tform: '1A', values: types },
    ] },
    { kind: 'image', extname: 'SKY', axes: [W], bitpix: -32, data: sky },
  ]);
}

const decode = (png: Buffer) => PNG.sync.read(png);
const rgb = (p: PNG, x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3));
const luminance = (p: PNG, x: number, y: number) => rgb(p, x, y).reduce((a, b) => a + b, 0) / 3;

/** Pixels of exactly this colour inside a box. */
function pixelsOf(p: PNG, colour: number[], box: { x: number; y: number; w: number; h: number }): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) if (rgb(p, x, y).every((v, i) => v === colour[i])) out.push([x, y]);
  return out;
}

/** Mean x of the highest pixels of a colour: where that curve peaks. */
function peakX(pixels: Array<[number, number]>): number {
  const top = Math.min(...pixels.map(([, y]) => y));
  const xs = pixels.filter(([, y]) => y === top).map(([x]) => x);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

// The layout of product-preview.ts: image box at (80, 50, 880 x 240), plot box at (80, 372, 880 x 326).
const imageBox = { x: 80, y: 50, w: 880, h: 240 };
const plotBox = { x: 80, y: 372, w: 880, h: 326 };
const pixelOf = (i: number) => plotBox.x + (i / (W - 1)) * (plotBox.w - 1);

describe('product previews', () => {
  it('draws fibre spectra as the frame image and representative spectra, lines where they are', async () => {
    const file = path.join(dir, 'testred.fits');
    await spectraProduct(file);
    const r = await renderProductPreview(file, 'testred.fits');
    expect(r).not.toBeNull();
    expect(r!.kind).toBe('spectra');
    const png = decode(r!.png);
    expect([png.width, png.height]).toEqual([PREVIEW_WIDTH, SPECTRA_PREVIEW_HEIGHT]);
    // Not blank: the image box is full of colour-mapped pixels, of many distinct values.
    const colours = new Set<string>();
    for (let y = imageBox.y; y < imageBox.y + imageBox.h; y += 3) for (let x = imageBox.x; x < imageBox.x + imageBox.w; x += 3) colours.add(rgb(png, x, y).join());
    expect(colours.size).toBeGreaterThan(40);
    // The emission line makes its column of the image brighter than the continuum (target rows: the top 3/4).
    const column = (px: number) => {
      let s = 0;
      for (let y = imageBox.y + 5; y < imageBox.y + 170; y++) s += luminance(png, px, y);
      return s;
    };
    const linePx = Math.round(imageBox.x + (LINE_PX / (W - 1)) * (imageBox.w - 1));
    expect(column(linePx)).toBeGreaterThan(1.5 * column(imageBox.x + 200));
    // The brightest target (first colour) peaks at the line, the sky (grey, from the SKY HDU) at the sky line;
    // 3 px is a third of a data pixel on this 880 px axis.
    const bright = pixelsOf(png, [31, 119, 180], plotBox);
    const sky = pixelsOf(png, [120, 120, 120], plotBox);
    expect(bright.length).toBeGreaterThan(300);
    expect(Math.abs(peakX(bright) - pixelOf(LINE_PX))).toBeLessThanOrEqual(3);
    expect(Math.abs(peakX(sky) - pixelOf(SKY_LINE_PX))).toBeLessThanOrEqual(3);
    // Three target curves and the sky: the median and faint ones are drawn too.
    expect(pixelsOf(png, [214, 39, 40], plotBox).length).toBeGreaterThan(300);
    expect(pixelsOf(png, [44, 160, 44], plotBox).length).toBeGreaterThan(300);
  });

  it('draws other 2-D products as an image, oriented as FITS stores them, NaN marked', async () => {
    const w = 64;
    const h = 512;
    const data = Float32Array.from({ length: w * h }, (_, i) => i % w);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 16; x++) data[y * w + x] = NaN; // bottom-left block
    const file = path.join(dir, 'bias.fits');
    await writeFits(file, [{ kind: 'image', axes: [w, h], bitpix: -32, data }]);
    const r = await renderProductPreview(file, 'bias.fits');
    expect(r!.kind).toBe('image');
    const png = decode(r!.png);
    // A tall detector image is capped at a 600 px box, plus title and axes.
    expect([png.width, png.height]).toEqual([PREVIEW_WIDTH, 720]);
    const y = 56 + 300;
    expect(luminance(png, 80 + 860, y)).toBeGreaterThan(luminance(png, 80 + 300, y) + 50);
    expect(luminance(png, 80 + 300, y)).toBeGreaterThan(luminance(png, 80 + 180, y));
    // Row 0 is at the bottom: the NaN block is in the bottom-left corner of the box (56 + 600 - 1 is the last row).
    expect(rgb(png, 90, 56 + 595)).toEqual([70, 90, 110]);
    expect(rgb(png, 90, 60)).not.toEqual([70, 90, 110]);
  });

  it('has no preview for a product without a 2-D image, and throws FitsError for a corrupt one', async () => {
    const table = path.join(dir, 'table.fits');
    await writeFits(table, [{ kind: 'image', axes: [], bitpix: -32, data: new Float32Array(0) }, { kind: 'table', extname: 'T', columns: [{ name: 'A', tform: '1J', values: [1] }] }]);
    await expect(renderProductPreview(table, 'table.fits')).resolves.toBeNull();
    const junk = path.join(dir, 'junk.fits');
    await writeFile(junk, 'this is not FITS'.repeat(300));
    await expect(renderProductPreview(junk, 'junk.fits')).rejects.toBeInstanceOf(FitsError);
  });
});
