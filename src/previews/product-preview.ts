// Renders the quick-look PNG of one product file: for fibre spectra (a 2-D primary with one row per fibre, as
// in 2dFdr's red.fits, combined and spliced files) the frame as an image plus a plot of a few representative
// spectra; for any other 2-D product (bias, image, tramline map) the image alone.
import { findHdu, readHeaders, readImage, readTable, type Header, type Hdu } from '../fits/index.js';
import { drawImage, drawPlot, ink, type Axis, type Series } from './panels.js';
import { Raster, type Rgb } from './raster.js';
import { formatTick, percentile } from './scales.js';

export const PREVIEW_WIDTH = 1000;
export const SPECTRA_PREVIEW_HEIGHT = 760;

export interface RenderedPreview {
  png: Buffer;
  width: number;
  height: number;
  kind: 'spectra' | 'image';
}

const palette: Rgb[] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [120, 120, 120]];

/** Linear wavelength axis from CRVAL1/CDELT1 (or CD1_1)/CRPIX1 (FITS pixels are 1-based); null without one. */
function wavelengthAxis(h: Header, width: number): Axis | null {
  const crval = h.number('CRVAL1');
  const cdelt = h.number('CDELT1') ?? h.number('CD1_1');
  if (crval === undefined || cdelt === undefined || cdelt === 0) return null;
  const crpix = h.number('CRPIX1') ?? 1;
  const at = (i: number) => crval + (i + 1 - crpix) * cdelt;
  const unit = h.string('CUNIT1') || 'Angstrom';
  return { lo: at(0), hi: at(width - 1), label: `wavelength (${unit})` };
}

interface FibreInfo {
  names: string[];
  types: string[];
}

async function fibreTable(file: string, hdus: Hdu[]): Promise<FibreInfo | null> {
  const hdu = findHdu(hdus, 'FIBRES');
  if (!hdu) return null;
  const t = await readTable(file, hdu);
  const name = t.column('NAME');
  const type = t.column('TYPE');
  if (!name || !type) return null;
  return { names: name.values.map((v) => String(v ?? '')), types: type.values.map((v) => String(v ?? '').trim().toUpperCase()) };
}

/** Median of a row's finite values (NaN when it has none). */
function rowMedian(data: ArrayLike<number>, width: number, row: number): number {
  const values = new Float64Array(width);
  let n = 0;
  for (let i = 0; i < width; i++) {
    const v = data[row * width + i];
    if (v === v && v !== Infinity && v !== -Infinity) values[n++] = v; // finite, without a global lookup per pixel
  }
  return n ? percentile(values.subarray(0, n).sort(), 50) : NaN;
}

/**
 * Up to three target fibres spanning the brightness range (90th, 50th and 10th percentile of the median flux
 * among program fibres, so one hot pixel does not pick the "brightest"), plus the sky.
 */
function representativeRows(data: ArrayLike<number>, width: number, height: number, fibres: FibreInfo | null): { row: number; why: string }[] {
  const candidates: { row: number; median: number }[] = [];
  for (let row = 0; row < height; row++) {
    if (fibres && fibres.types[row] !== 'P') continue;
    const m = rowMedian(data, width, row);
    if (Number.isFinite(m)) candidates.push({ row, median: m });
  }
  candidates.sort((a, b) => b.median - a.median);
  const picks: { row: number; why: string }[] = [];
  for (const [q, why] of [[0.1, 'bright'], [0.5, 'median'], [0.9, 'faint']] as const) {
    const c = candidates[Math.min(candidates.length - 1, Math.floor(q * candidates.length))];
    if (c && !picks.some((p) => p.row === c.row)) picks.push({ row: c.row, why });
  }
  return picks;
}

function fibreLabel(row: number, fibres: FibreInfo | null, why: string): string {
  const name = fibres?.names[row]?.trim();
  return `#${row + 1}${name ? ` ${name.slice(0, 22)}` : ''} ${why}`;
}

function title(r: Raster, name: string, h: Header, details: string): void {
  r.text(name, 20, 12, ink, { scale: 2 });
  const object = h.string('OBJECT');
  const arm = h.string('SPECTID') === 'BL' ? 'blue arm' : h.string('SPECTID') === 'RD' ? 'red arm' : '';
  const grating = h.string('GRATID') ?? '';
  r.text([object, arm, grating, details].filter(Boolean).join('  |  '), PREVIEW_WIDTH - 20, 17, ink, { align: 'right' });
}

async function renderSpectra(file: string, name: string, hdus: Hdu[], h: Header, img: { width: number; height: number; data: ArrayLike<number> }, fibres: FibreInfo | null): Promise<RenderedPreview> {
  const r = new Raster(PREVIEW_WIDTH, SPECTRA_PREVIEW_HEIGHT);
  const x = wavelengthAxis(h, img.width) ?? { lo: 1, hi: img.width, label: 'pixel' };
  title(r, name, h, `${img.height} fibres x ${img.width} px`);
  const [lo, hi] = drawImage(r, { x: 80, y: 50, w: 880, h: 240 }, { ...img, x, y: { lo: 1, hi: img.height, label: 'fibre' }, firstRowOnTop: true });
  const series: Series[] = representativeRows(img.data, img.width, img.height, fibres).map((p, i) => ({
    y: img.data instanceof Float32Array || img.data instanceof Float64Array ? img.data.subarray(p.row * img.width, (p.row + 1) * img.width) : Array.from({ length: img.width }, (_, k) => img.data[p.row * img.width + k]),
    colour: palette[i],
    label: fibreLabel(p.row, fibres, p.why),
  }));
  const skyHdu = findHdu(hdus, 'SKY');
  if (skyHdu && skyHdu.header.number('NAXIS1') === img.width) {
    series.push({ y: (await readImage(file, skyHdu)).data, colour: palette[3], label: 'sky' });
  }
  const bunit = h.string('BUNIT');
  drawPlot(r, { x: 80, y: 372, w: 880, h: 326 }, x, bunit ? `flux (${bunit})` : 'flux', series);
  r.text(`image stretch ${formatTick(lo, 2)} to ${formatTick(hi, 2)} (1st-99.5th percentile); spectra: fibre number, name, and program fibres at the 90th, 50th, 10th percentile of median flux`, 20, SPECTRA_PREVIEW_HEIGHT - 16, [90, 90, 90]);
  return { png: r.toPng(), width: r.width, height: r.height, kind: 'spectra' };
}

function renderImage(name: string, h: Header, img: { width: number; height: number; data: ArrayLike<number> }): RenderedPreview {
  const boxW = 880;
  // Keep the aspect ratio within reason: a 256 x 4098 detector image would otherwise be 14,000 px tall.
  const boxH = Math.round(Math.max(200, Math.min(600, (boxW * img.height) / img.width)));
  const r = new Raster(PREVIEW_WIDTH, boxH + 120);
  title(r, name, h, `${img.width} x ${img.height} px`);
  const [lo, hi] = drawImage(r, { x: 80, y: 56, w: boxW, h: boxH }, {
    ...img, x: { lo: 1, hi: img.width, label: 'column' }, y: { lo: 1, hi: img.height, label: 'row' }, firstRowOnTop: false,
  });
  r.text(`stretch ${formatTick(lo, 2)} to ${formatTick(hi, 2)} (1st-99.5th percentile)${img.height / img.width > boxH / boxW + 0.01 ? '; not to scale' : ''}`, 20, r.height - 16, [90, 90, 90]);
  return { png: r.toPng(), width: r.width, height: r.height, kind: 'image' };
}

/**
 * The quick-look of a FITS product, or null when it has no 2-D primary image to show. Throws FitsError for
 * a file that is not valid FITS.
 */
export async function renderProductPreview(file: string, name: string): Promise<RenderedPreview | null> {
  const hdus = await readHeaders(file);
  const h = hdus[0].header;
  if ((h.number('NAXIS') ?? 0) < 2 || !(h.number('NAXIS1')! > 0) || !(h.number('NAXIS2')! > 0)) return null;
  const img = await readImage(file, hdus[0]);
  const fibres = await fibreTable(file, hdus);
  // Fibre spectra have a VARIANCE and either one row per fibre of the FIBRES table or a wavelength axis (a
  // tramline map also has a FIBRES table, but holds positions: it is shown as an image).
  const spectra = !!findHdu(hdus, 'VARIANCE') && (fibres ? fibres.names.length === img.height : !!wavelengthAxis(h, img.width));
  return spectra ? renderSpectra(file, name, hdus, h, img, fibres) : renderImage(name, h, img);
}
