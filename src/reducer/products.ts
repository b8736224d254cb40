// The HDUs and header cards every 2dFdr-style product carries (domain notes section 5):
// TDFDRVER, HISTORY, linear wavelength WCS, FIBRES, REDUCTION_ARGS, NDF_CLASS.
import { Header, type ImageHduSpec, type TableHduSpec } from '../fits/index.js';
import type { FibreTable } from './fits-io.js';
import type { LinearGrid } from './maths/scrunch.js';
import type { Params } from './params.js';
import { TDFDRVER } from './version.js';

/** Keys a raw header carries that describe the raw data, not the product. */
const rawOnly = /^(BZERO|BSCALE|BLANK|AVGVALUE|DATASUM|CHECKSUM|CRVAL[12]|CDELT[12]|CRPIX[12]|CTYPE[12]|CUNIT[12]|MWIDTH)$/;

/**
 * A product's primary header: the input's cards (raw-data keys dropped), TDFDRVER and DATE (the one
 * time-dependent card: products are otherwise byte-identical wherever they are made), then HISTORY.
 */
export function productHeader(base: Header, history: readonly string[], now: Date): Header {
  const h = new Header(base.cards.filter((c) => !rawOnly.test(c.key)));
  h.set('TDFDRVER', TDFDRVER, '2dfdr-compatible reducer version');
  h.set('DATE', now.toISOString().slice(0, 19), 'UTC date this file was written');
  for (const line of history) for (const part of wrap(line, 70)) h.history(part);
  return h;
}

/** Splits text into pieces of at most `width` characters at blanks (a HISTORY card holds 72). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}

/** Linear wavelength on axis 1 (Angstrom, FITS 1-based pixels) and fibre number on axis 2. */
export function setWavelengthWcs(h: Header, grid: LinearGrid): void {
  h.set('CRPIX1', Math.floor(grid.n / 2), 'reference pixel (1-based)');
  h.set('CRVAL1', grid.start + (Math.floor(grid.n / 2) - 1) * grid.step, 'wavelength at CRPIX1 (Angstrom)');
  h.set('CDELT1', grid.step, 'wavelength increment (Angstrom/pixel)');
  h.set('CTYPE1', 'Wavelength', 'linear wavelength axis');
  h.set('CUNIT1', 'Angstroms', 'wavelength unit');
  h.set('CRPIX2', 1, 'reference fibre');
  h.set('CRVAL2', 1, 'fibre number at CRPIX2');
  h.set('CDELT2', 1, 'fibre increment');
  h.set('CTYPE2', 'Fibre Number', 'slit position');
  h.set('CUNIT2', '', '');
}

/** The grid a header's linear WCS describes, or null without one. */
export function gridOf(h: Header, n: number): LinearGrid | null {
  const crval = h.number('CRVAL1');
  const cdelt = h.number('CDELT1');
  const crpix = h.number('CRPIX1');
  if (crval === undefined || cdelt === undefined || crpix === undefined || !(cdelt !== 0)) return null;
  return { start: crval - (crpix - 1) * cdelt, step: cdelt, n };
}

export function imageHdu(extname: string | undefined, data: Float32Array, axes: number[], header?: Header): ImageHduSpec {
  return { kind: 'image', ...(extname ? { extname } : {}), ...(header ? { header } : {}), axes, bitpix: -32, data };
}

export function fibresHdu(t: FibreTable): TableHduSpec {
  // The writer regenerates the structural keywords; the field keywords (CENRA, CFG_FILE...) carry over.
  return { kind: 'table', extname: 'FIBRES', header: t.header.clone(), columns: t.columns };
}

/** Every parameter the step ran with (SAMI reads it back as dict(getdata(f, 'REDUCTION_ARGS'))). */
export function reductionArgsHdu(params: Params): TableHduSpec {
  const rows = params.entries();
  const w = (k: 0 | 1) => Math.max(1, ...rows.map((r) => Buffer.byteLength(r[k], 'latin1')));
  return {
    kind: 'table',
    extname: 'REDUCTION_ARGS',
    columns: [
      { name: 'ARG_NAME', tform: `${w(0)}A`, values: rows.map((r) => r[0]) },
      { name: 'ARG_VALUE', tform: `${w(1)}A`, values: rows.map((r) => r[1]) },
    ],
  };
}

/** The frame class table 2dFdr keeps with every frame. */
export function ndfClassHdu(cls: string): TableHduSpec {
  return { kind: 'table', extname: 'NDF_CLASS', columns: [{ name: 'NAME', tform: '16A', values: [cls] }] };
}
