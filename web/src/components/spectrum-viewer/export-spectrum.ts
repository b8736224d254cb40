// One spectrum as a file the user keeps: CSV (one row per pixel, '#' header lines naming the source and units)
// or FITS (an empty primary HDU and a SPECTRUM binary table: WAVELENGTH, FLUX, VARIANCE, SKY with TUNITs), written
// in the browser. Unsmoothed values, exactly as in the result.
const BLOCK = 2880;

export interface ExportedSpectrum {
  /** The result it comes from and the fibre. */
  source: string;
  fibre: number;
  name: string;
  type: string;
  ra: number | null;
  dec: number | null;
  wavelength: ArrayLike<number>;
  wavelengthUnit: string;
  flux: ArrayLike<number>;
  fluxUnit: string | null;
  variance: ArrayLike<number> | null;
  sky: ArrayLike<number> | null;
}

const num = (v: number) => (Number.isFinite(v) ? String(v) : '');

export function spectrumCsv(s: ExportedSpectrum): string {
  const cols = ['wavelength', 'flux', ...(s.variance ? ['variance'] : []), ...(s.sky ? ['sky'] : [])];
  const lines = [
    `# ${s.source}: fibre ${s.fibre}${s.name ? ` ${s.name}` : ''}${s.type ? ` (type ${s.type})` : ''}`,
    ...(s.ra !== null && s.dec !== null ? [`# ra ${s.ra} deg, dec ${s.dec} deg (ICRS)`] : []),
    `# units: wavelength ${s.wavelengthUnit}; flux ${s.fluxUnit ?? 'not given in the product'}${s.variance ? '; variance in flux units squared' : ''}`,
    cols.join(','),
  ];
  for (let i = 0; i < s.wavelength.length; i++) {
    lines.push([num(s.wavelength[i]), num(s.flux[i]), ...(s.variance ? [num(s.variance[i])] : []), ...(s.sky ? [num(s.sky[i])] : [])].join(','));
  }
  return `${lines.join('\n')}\n`;
}

// FITS header cards: printable ASCII only, strings quoted (quotes doubled), numbers right-aligned in column 30.
const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
function card(key: string, value?: string | number | boolean, comment?: string): string {
  let c = key.padEnd(8);
  if (value !== undefined) {
    const v =
      typeof value === 'string' ? `'${ascii(value).replace(/'/g, "''").slice(0, 66).padEnd(8)}'`.padEnd(20)
      : typeof value === 'boolean' ? (value ? 'T' : 'F').padStart(20)
      : (Number.isInteger(value) ? String(value) : value.toExponential(12).toUpperCase()).padStart(20);
    c += `= ${v}`;
    if (comment) c += ` / ${ascii(comment)}`;
  }
  return c.slice(0, 80).padEnd(80);
}

function header(cards: string[]): Uint8Array {
  const text = [...cards, card('END')].join('');
  const out = new Uint8Array(Math.ceil(text.length / BLOCK) * BLOCK).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

export function spectrumFits(s: ExportedSpectrum): Uint8Array {
  const n = s.wavelength.length;
  const cols: Array<{ name: string; form: 'D' | 'E'; unit: string | null; values: ArrayLike<number> }> = [
    { name: 'WAVELENGTH', form: 'D', unit: s.wavelengthUnit, values: s.wavelength },
    { name: 'FLUX', form: 'E', unit: s.fluxUnit, values: s.flux },
    ...(s.variance ? [{ name: 'VARIANCE', form: 'E' as const, unit: s.fluxUnit ? `(${s.fluxUnit})**2` : null, values: s.variance }] : []),
    ...(s.sky ? [{ name: 'SKY', form: 'E' as const, unit: s.fluxUnit, values: s.sky }] : []),
  ];
  const rowBytes = cols.reduce((a, c) => a + (c.form === 'D' ? 8 : 4), 0);
  const primary = header([
    card('SIMPLE', true, 'conforms to FITS 4.0'), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true),
    card('ORIGIN', 'drsoda web viewer'), card('DATE', new Date().toISOString().slice(0, 19), 'UTC date this file was written'),
    card('OBJECT', s.name || `fibre ${s.fibre}`), card('FIBRE', s.fibre, '2dF slit position'), card('FIBTYPE', s.type || 'unknown', 'P program, S sky'),
    ...(s.ra !== null && s.dec !== null ? [card('RA', s.ra, 'target RA (ICRS deg)'), card('DEC', s.dec, 'target Dec (ICRS deg)')] : []),
    card('SOURCE', s.source, 'the drsoda result it was cut from'),
  ]);
  const table = header([
    card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', rowBytes), card('NAXIS2', n),
    card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', cols.length),
    ...cols.flatMap((c, i) => [card(`TTYPE${i + 1}`, c.name), card(`TFORM${i + 1}`, `1${c.form}`), ...(c.unit ? [card(`TUNIT${i + 1}`, c.unit)] : [])]),
    card('EXTNAME', 'SPECTRUM'),
  ]);
  const data = new Uint8Array(Math.ceil((rowBytes * n) / BLOCK) * BLOCK);
  const view = new DataView(data.buffer);
  for (let r = 0, o = 0; r < n; r++) {
    for (const c of cols) {
      const v = Number(c.values[r]);
      if (c.form === 'D') view.setFloat64(o, v);
      else view.setFloat32(o, v);
      o += c.form === 'D' ? 8 : 4;
    }
  }
  const out = new Uint8Array(primary.length + table.length + data.length);
  out.set(primary, 0);
  out.set(table, primary.length);
  out.set(data, primary.length + table.length);
  return out;
}

/** Saves bytes or text as a file through a temporary object URL. */
export function saveFile(name: string, type: string, body: BlobPart): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
