// Writing FITS files: structural keywords are generated from the data; user cards follow; files appear atomically.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { BLOCK, formatHeader } from './cards.js';
import { FitsError } from './errors.js';
import { Header, type Card } from './header.js';
import { encodeImage, type ImageInput } from './image-codec.js';
import { encodeTable, type TableColumnSpec } from './table-codec.js';

export interface ImageHduSpec {
  kind: 'image';
  header?: Header;
  extname?: string;
  /** NAXIS1 (fastest), NAXIS2, ...; [] for a data-less primary. */
  axes: number[];
  bitpix: 16 | 32 | -32 | -64;
  /** A Uint16Array with bitpix 16 is stored with BZERO = 32768. */
  data: ImageInput;
}

export interface TableHduSpec {
  kind: 'table';
  header?: Header;
  extname: string;
  columns: TableColumnSpec[];
}

export type HduSpec = ImageHduSpec | TableHduSpec;

// Keywords the writer derives from the data; copies in a user header (e.g. one read from another file) are dropped.
const reserved = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|TFIELDS|T(TYPE|FORM|UNIT|NULL|SCAL|ZERO|DIM|DISP)\d+|BZERO|BSCALE|BLANK|EXTNAME|END|CHECKSUM|DATASUM|THEAP|GROUPS)$/;

function userCards(header: Header | undefined): Card[] {
  return (header?.cards ?? []).filter((c) => !reserved.test(c.key));
}

const c = (key: string, value: Card['value'], comment?: string): Card => (comment ? { key, value, comment } : { key, value });

function imageParts(spec: ImageHduSpec, primary: boolean, more: boolean): Buffer[] {
  const n = spec.axes.reduce((a, b) => a * b, spec.axes.length ? 1 : 0);
  if (spec.data.length !== n) throw new FitsError(`image data has ${spec.data.length} values but axes ${JSON.stringify(spec.axes)} need ${n}`);
  const { bytes, bzero } = encodeImage(spec.data, spec.bitpix);
  const cards: Card[] = [
    primary ? c('SIMPLE', true, 'conforms to FITS standard') : c('XTENSION', 'IMAGE', 'image extension'),
    c('BITPIX', spec.bitpix, 'array data type'),
    c('NAXIS', spec.axes.length, 'number of array dimensions'),
    ...spec.axes.map((len, i) => c(`NAXIS${i + 1}`, len)),
  ];
  if (primary) cards.push(c('EXTEND', true, more ? 'extensions follow' : undefined));
  else cards.push(c('PCOUNT', 0), c('GCOUNT', 1));
  if (bzero !== undefined) cards.push(c('BZERO', bzero, 'unsigned 16-bit integers'), c('BSCALE', 1));
  const extname = spec.extname ?? spec.header?.string('EXTNAME');
  if (extname) cards.push(c('EXTNAME', extname, 'extension name'));
  cards.push(...userCards(spec.header));
  return [formatHeader(cards), bytes];
}

function tableParts(spec: TableHduSpec): Buffer[] {
  const { bytes, rowBytes, nrows } = encodeTable(spec.columns);
  const cards: Card[] = [
    c('XTENSION', 'BINTABLE', 'binary table extension'),
    c('BITPIX', 8),
    c('NAXIS', 2),
    c('NAXIS1', rowBytes, 'bytes per row'),
    c('NAXIS2', nrows, 'rows'),
    c('PCOUNT', 0),
    c('GCOUNT', 1),
    c('TFIELDS', spec.columns.length, 'columns'),
  ];
  spec.columns.forEach((col, i) => {
    cards.push(c(`TTYPE${i + 1}`, col.name), c(`TFORM${i + 1}`, col.tform));
    if (col.unit) cards.push(c(`TUNIT${i + 1}`, col.unit));
    if (col.tnull !== undefined) cards.push(c(`TNULL${i + 1}`, col.tnull));
  });
  cards.push(c('EXTNAME', spec.extname, 'extension name'), ...userCards(spec.header));
  return [formatHeader(cards), bytes];
}

function padding(n: number): Buffer {
  return Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);
}

/** The byte chunks of a file: each HDU's header, data and zero padding. Throws FitsError for invalid specs. */
export function* fitsChunks(hdus: HduSpec[]): Generator<Buffer> {
  if (hdus.length === 0 || hdus[0].kind !== 'image') throw new FitsError('the first HDU must be an image (the primary HDU)');
  for (let i = 0; i < hdus.length; i++) {
    const spec = hdus[i];
    const [header, data] = spec.kind === 'image' ? imageParts(spec, i === 0, hdus.length > 1) : tableParts(spec);
    yield header;
    if (data.length) {
      yield data;
      yield padding(data.length);
    }
  }
}

export function encodeFits(hdus: HduSpec[]): Buffer {
  return Buffer.concat([...fitsChunks(hdus)]);
}

/** Writes a FITS file atomically: a temporary file in the same directory, renamed over `file` when complete. */
export async function writeFits(file: string, hdus: HduSpec[]): Promise<void> {
  const chunks = [...fitsChunks(hdus)]; // encode first, so a bad spec leaves nothing on disk
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    for (const chunk of chunks) {
      for (let off = 0; off < chunk.length; ) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    await fh.close();
    await rename(tmp, file);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
