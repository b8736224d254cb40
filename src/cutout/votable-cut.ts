// The VOTable answer of a SODA cut: one row per kept fibre (id, name, RA, Dec, type) with its wavelength, flux
// and variance arrays, as VOTable 1.4 TABLEDATA. Rows are written as they are formatted, so a full frame
// (400 fibres x 4,000 pixels x 3 arrays) never exists as one string.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { findHdu, readImage } from '../fits/index.js';
import { field, info, param, type FieldDecl } from '../vo/votable.js';
import { ns } from '../vo/xml.js';
import { wavelengthAt, type CutSelection } from './cut.js';
import { CutNotApplicable, isSpectra, type ProductFile } from './product-file.js';

const fields: FieldDecl[] = [
  { name: 'id', datatype: 'int', ucd: 'meta.id;meta.main', description: 'Fibre number: 1-based slit position (row of the full reduced frame)' },
  { name: 'name', datatype: 'char', arraysize: '*', ucd: 'meta.id', description: 'Target name from the 2dF configuration' },
  { name: 'ra', datatype: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', description: 'Target right ascension (ICRS)' },
  { name: 'dec', datatype: 'double', unit: 'deg', ucd: 'pos.eq.dec;meta.main', description: 'Target declination (ICRS)' },
  { name: 'type', datatype: 'char', arraysize: '*', ucd: 'meta.code', description: '2dF fibre type: P programme, S sky, F guide, N not used, U unallocated' },
  { name: 'wavelength', datatype: 'double', arraysize: '*', unit: 'Angstrom', ucd: 'em.wl', description: 'Wavelength of each pixel' },
  { name: 'flux', datatype: 'float', arraysize: '*', unit: 'ct', ucd: 'phot.count;em.wl', description: 'Extracted, calibrated counts per pixel (NaN where masked)' },
  { name: 'variance', datatype: 'float', arraysize: '*', unit: 'ct**2', ucd: 'stat.variance', description: 'Variance of flux' },
];

// float32 values: 9 significant digits round-trip exactly; shorter when the value allows.
const f32 = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(Number(v.toPrecision(9))));
const f64 = (v: number) => String(Number(v.toPrecision(12)));
const esc = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '?').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface VotableContext {
  /** The SODA ID the product answers, and what was asked (echoed as PARAMs). */
  id: string;
  description: string;
  params: Array<{ name: string; value: string }>;
}

/**
 * Writes the VOTable of the cut atomically and returns its size in bytes.
 * @throws CutNotApplicable when the product is not fibre spectra on a wavelength axis.
 */
export async function writeVotableCut(p: ProductFile, sel: CutSelection, outFile: string, ctx: VotableContext): Promise<number> {
  if (!isSpectra(p)) throw new CutNotApplicable(`${p.name} holds no fibre spectra on a wavelength axis: it is available as application/fits only`);
  const flux = await readImage(p.file, p.hdus[0]);
  const variance = await readImage(p.file, findHdu(p.hdus, 'VARIANCE')!);
  const [c0, c1] = sel.pixels ?? [0, p.nPix - 1];
  const rows = sel.rows ?? Array.from({ length: p.nRows }, (_, i) => i);
  const wave = Array.from({ length: c1 - c0 + 1 }, (_, k) => f64(wavelengthAt(p.axis!, c0 + k))).join(' ');
  const deg = 180 / Math.PI;

  const tmp = path.join(path.dirname(outFile), `.${path.basename(outFile)}.${randomBytes(6).toString('hex')}.tmp`);
  const out = createWriteStream(tmp);
  let size = 0;
  const write = async (s: string) => {
    size += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  try {
    await write(`<?xml version="1.0" encoding="UTF-8"?>\n<VOTABLE version="1.4" xmlns="${ns.votable}">\n`);
    await write(`<RESOURCE type="results">\n<DESCRIPTION>${esc(ctx.description)}</DESCRIPTION>\n`);
    await write(`${info('QUERY_STATUS', 'OK', `${rows.length} fibre(s), ${c1 - c0 + 1} pixel(s) each`)}\n`);
    await write(`${info('standardID', 'ivo://ivoa.net/std/SODA#sync-1.0')}\n`);
    await write(`<COOSYS ID="icrs" system="ICRS"/>\n`);
    await write(`${param({ name: 'ID', datatype: 'char', arraysize: '*', ucd: 'meta.id;meta.main', value: ctx.id })}\n`);
    await write(`${param({ name: 'product', datatype: 'char', arraysize: '*', ucd: 'meta.id;meta.file', value: p.name })}\n`);
    for (const x of ctx.params) await write(`${param({ name: x.name, datatype: 'char', arraysize: '*', value: x.value })}\n`);
    await write('<TABLE name="spectra">\n');
    for (const f of fields) await write(`${f.name === 'ra' || f.name === 'dec' ? field(f).replace('<FIELD ', '<FIELD ref="icrs" ') : field(f)}\n`);
    await write('<DATA><TABLEDATA>\n');
    const n = p.nPix;
    for (const r of rows) {
      const fr = p.fibres![r];
      const fx: string[] = [];
      const vx: string[] = [];
      for (let c = c0; c <= c1; c++) {
        fx.push(f32(flux.data[r * n + c]));
        vx.push(f32(variance.data[r * n + c]));
      }
      const ra = fr.raRad === null ? '' : f64(fr.raRad * deg);
      const dec = fr.decRad === null ? '' : f64(fr.decRad * deg);
      const td = (s: string) => (s === '' ? '<TD/>' : `<TD>${s}</TD>`);
      await write(`<TR>${td(String(r + 1))}${td(esc(p.names[r] ?? ''))}${td(ra)}${td(dec)}${td(esc(p.types[r] ?? ''))}${td(wave)}${td(fx.join(' '))}${td(vx.join(' '))}</TR>\n`);
    }
    await write('</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n');
    out.end();
    await once(out, 'finish');
    await rename(tmp, outFile);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  return size;
}
