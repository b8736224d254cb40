// A reduced 2dFdr-style product opened for cutting: its HDUs, the fibre rows with their target positions, and
// the linear wavelength axis, read from the headers and the FIBRES table only (the pixel planes stay on disk).
import { findHdu, readHeaders, readTable, type Hdu } from '../fits/index.js';
import { bandPixels, fibresInside, NoOverlap, wavelengthAxis, type CutSelection, type FibreRow, type WavelengthAxis } from './cut.js';
import { describeRegion, type Region } from './geometry.js';

export interface ProductFile {
  file: string;
  /** File name for messages (the product's 2dFdr name). */
  name: string;
  hdus: Hdu[];
  /** NAXIS1 and NAXIS2 of the primary image (pixels per spectrum, spectra); 0 when it is not 2-D. */
  nPix: number;
  nRows: number;
  axis: WavelengthAxis | null;
  /** The fibre table HDU when it has one row per spectrum. */
  fibresHdu: Hdu | undefined;
  fibres: FibreRow[] | null;
  /** NAME and TYPE per row ('' when missing), for VOTable output. */
  names: string[];
  types: string[];
}

/** A filter or format the product cannot honour (e.g. BAND on a bias frame): reported as a UsageError result. */
export class CutNotApplicable extends Error {
  override name = 'CutNotApplicable';
}

function angleFactor(unit: string | undefined): number {
  const u = (unit ?? '').trim().toLowerCase();
  return u.startsWith('deg') ? Math.PI / 180 : 1; // 2dF writes radians (TUNIT 'radians')
}

/** Reads headers and the fibre table. Throws FitsError for unreadable files. */
export async function openProduct(file: string, name: string): Promise<ProductFile> {
  const hdus = await readHeaders(file);
  const h0 = hdus[0].header;
  const twoD = h0.number('NAXIS') === 2;
  const nPix = twoD ? (h0.number('NAXIS1') ?? 0) : 0;
  const nRows = twoD ? (h0.number('NAXIS2') ?? 0) : 0;
  const candidate = findHdu(hdus, 'FIBRES');
  const fibresHdu = candidate && candidate.header.string('XTENSION') === 'BINTABLE' && candidate.header.number('NAXIS2') === nRows && nRows > 0 ? candidate : undefined;
  let fibres: FibreRow[] | null = null;
  let names: string[] = [];
  let types: string[] = [];
  if (fibresHdu) {
    const t = await readTable(file, fibresHdu);
    const idx = (n: string) => t.columns.findIndex((c) => c.name.toUpperCase() === n);
    const ra = idx('RA');
    const dec = idx('DEC');
    const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
    const fRa = angleFactor(t.columns[ra]?.unit);
    const fDec = angleFactor(t.columns[dec]?.unit);
    const str = (n: string) => t.column(n)?.values.map((v) => (v === null ? '' : String(v).trim())) ?? Array.from({ length: t.nrows }, () => '');
    names = str('NAME');
    types = str('TYPE');
    fibres = Array.from({ length: t.nrows }, (_, i) => {
      const r = ra >= 0 ? num(t.columns[ra].values[i]) : null;
      const d = dec >= 0 ? num(t.columns[dec].values[i]) : null;
      return { raRad: r === null ? null : r * fRa, decRad: d === null ? null : d * fDec, type: types[i] };
    });
  }
  const ctype = (h0.string('CTYPE1') ?? '').toLowerCase();
  const axis = twoD && (ctype === '' || ctype.startsWith('wave') || ctype.startsWith('lambda') || ctype.startsWith('awav')) ? wavelengthAxis(h0, nPix) : null;
  return { file, name, hdus, nPix, nRows, axis, fibresHdu, fibres, names, types };
}

/** True when the product holds extracted fibre spectra on a wavelength axis (reduced object, combined, spliced). */
export const isSpectra = (p: ProductFile) => p.axis !== null && p.fibres !== null && findHdu(p.hdus, 'VARIANCE') !== undefined;

/**
 * The rows and pixels one region x band combination keeps.
 * @throws CutNotApplicable when the product cannot be cut that way; NoOverlap when nothing is left.
 */
export function selectCut(p: ProductFile, region: Region | undefined, band: { value: string; metres: readonly [number, number] } | undefined): CutSelection {
  let rows: number[] | null = null;
  let pixels: [number, number] | null = null;
  if (region) {
    if (!p.fibres) throw new CutNotApplicable(`${p.name} has no fibre table with one row per spectrum: POS, CIRCLE and POLYGON do not apply to it`);
    rows = fibresInside(p.fibres, region);
    if (!rows.length) throw new NoOverlap(`no fibre of ${p.name} has its target inside ${describeRegion(region)}`);
  }
  if (band) {
    if (!p.axis) throw new CutNotApplicable(`${p.name} has no linear wavelength axis: BAND does not apply to it`);
    pixels = bandPixels(p.axis, band.metres);
    if (!pixels) {
      const lo = Math.min(p.axis.startAngstrom, p.axis.startAngstrom + (p.axis.n - 1) * p.axis.stepAngstrom);
      const hi = Math.max(p.axis.startAngstrom, p.axis.startAngstrom + (p.axis.n - 1) * p.axis.stepAngstrom);
      throw new NoOverlap(`BAND ${band.value.trim()} (metres) does not overlap ${p.name}, which covers ${(lo * 1e-10).toPrecision(6)} to ${(hi * 1e-10).toPrecision(6)} m`);
    }
  }
  return { rows, pixels };
}
