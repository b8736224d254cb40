// Reading FITS files: headers by streaming block reads (data is skipped, never loaded), then one HDU's data on demand.
import { open, type FileHandle } from 'node:fs/promises';
import { BLOCK, CARD, parseCards } from './cards.js';
import { FitsError } from './errors.js';
import { Header } from './header.js';
import { decodeImage, type Image } from './image-codec.js';
import { decodeTable, type Table } from './table-codec.js';

export interface Hdu {
  index: number;
  header: Header;
  /** EXTNAME, trimmed; undefined for an unnamed HDU. */
  extname: string | undefined;
  /** Byte offset of the first header block. */
  headerOffset: number;
  /** Byte offset of the data (after the header's END block). */
  dataOffset: number;
  /** Unpadded data bytes (BITPIX/8 x GCOUNT x (PCOUNT + NAXIS1 x ... x NAXISn)). */
  dataLength: number;
}

const bitpixValues = new Set([8, 16, 32, 64, -32, -64]);

/** Data bytes declared by a header; throws FitsError for missing or invalid structural keywords. */
export function dataBytes(header: Header, file: string, index: number): number {
  const bitpix = header.number('BITPIX');
  const naxis = header.number('NAXIS');
  if (bitpix === undefined || !bitpixValues.has(bitpix)) throw new FitsError(`HDU ${index}: invalid BITPIX ${String(header.get('BITPIX'))}`, file);
  if (naxis === undefined || !Number.isInteger(naxis) || naxis < 0 || naxis > 999) throw new FitsError(`HDU ${index}: invalid NAXIS`, file);
  if (naxis === 0) return 0;
  let n = 1;
  // Random groups (NAXIS1 = 0 with GROUPS = T) do not count NAXIS1.
  const groups = header.get('GROUPS') === true && header.number('NAXIS1') === 0;
  for (let i = groups ? 2 : 1; i <= naxis; i++) {
    const len = header.number(`NAXIS${i}`);
    if (len === undefined || !Number.isInteger(len) || len < 0) throw new FitsError(`HDU ${index}: invalid NAXIS${i}`, file);
    n *= len;
  }
  const pcount = header.number('PCOUNT') ?? 0;
  const gcount = header.number('GCOUNT') ?? 1;
  return (Math.abs(bitpix) / 8) * gcount * (pcount + n);
}

function isBlank(buf: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[i] !== 0 && buf[i] !== 0x20) return false;
  return true;
}

async function readHeaderAt(fh: FileHandle, file: string, offset: number, index: number): Promise<{ header: Header; dataOffset: number } | null> {
  const block = Buffer.allocUnsafe(BLOCK);
  const records: string[] = [];
  for (let at = offset; ; at += BLOCK) {
    const { bytesRead } = await fh.read(block, 0, BLOCK, at);
    if (at === offset) {
      if (bytesRead === 0) return null;
      if (index > 0 && isBlank(block, bytesRead)) return null; // trailing padding after the last HDU
      const first = block.toString('latin1', 0, 8);
      if (index === 0 ? first !== 'SIMPLE  ' : first !== 'XTENSION') {
        throw new FitsError(index === 0 ? 'not a FITS file (no SIMPLE card)' : `unexpected bytes at offset ${offset} where HDU ${index} should start`, file);
      }
    }
    if (bytesRead < BLOCK) throw new FitsError(`truncated header in HDU ${index} (file ends at byte ${at + bytesRead})`, file);
    // Header blocks are printable ASCII (FITS 4.0 section 4.1.1); anything else means the END card is missing.
    for (let i = 0; i < BLOCK; i++) {
      if (block[i] < 0x20 || block[i] > 0x7e) throw new FitsError(`HDU ${index}: invalid header block at offset ${at} (missing END card?)`, file);
    }
    const text = block.toString('latin1');
    for (let i = 0; i < BLOCK; i += CARD) {
      const rec = text.slice(i, i + CARD);
      records.push(rec);
      if (rec.startsWith('END') && rec.slice(3).trim() === '') return { header: new Header(parseCards(records)), dataOffset: at + BLOCK };
    }
  }
}

/** Reads every HDU's header; data regions are skipped by offset. Throws FitsError for corrupted or truncated files. */
export async function readHeaders(file: string): Promise<Hdu[]> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) throw new FitsError('empty file', file);
    const hdus: Hdu[] = [];
    let offset = 0;
    while (offset < size) {
      const index = hdus.length;
      const got = await readHeaderAt(fh, file, offset, index);
      if (!got) break;
      const dataLength = dataBytes(got.header, file, index);
      if (got.dataOffset + dataLength > size) {
        throw new FitsError(`truncated data in HDU ${index}: needs ${dataLength} bytes from offset ${got.dataOffset}, file has ${size}`, file);
      }
      const extname = got.header.string('EXTNAME') || undefined;
      hdus.push({ index, header: got.header, extname, headerOffset: offset, dataOffset: got.dataOffset, dataLength });
      offset = got.dataOffset + Math.ceil(dataLength / BLOCK) * BLOCK;
    }
    return hdus;
  } finally {
    await fh.close();
  }
}

/** 'PRIMARY' is HDU 0; otherwise EXTNAME equal to name, else ending in '.'+name (case-insensitive). */
export function findHdu(hdus: Hdu[], name: string): Hdu | undefined {
  const n = name.toUpperCase();
  if (n === 'PRIMARY') return hdus[0];
  return hdus.find((h) => h.extname?.toUpperCase() === n) ?? hdus.find((h) => h.extname?.toUpperCase().endsWith(`.${n}`));
}

async function readData(file: string, hdu: Hdu, length: number): Promise<Buffer> {
  // allocUnsafeSlow gives an unpooled buffer at byteOffset 0, so typed-array views over it are aligned.
  const buf = Buffer.allocUnsafeSlow(length);
  const fh = await open(file, 'r');
  try {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, Math.min(length - got, 1 << 26), hdu.dataOffset + got);
      if (bytesRead === 0) throw new FitsError(`truncated data in HDU ${hdu.index}`, file);
      got += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

export function imageAxes(header: Header): number[] {
  const naxis = header.number('NAXIS') ?? 0;
  return Array.from({ length: naxis }, (_, i) => header.number(`NAXIS${i + 1}`) ?? 0);
}

/** Reads an image HDU (primary or IMAGE extension). Throws FitsError for other HDU types or bad data. */
export async function readImage(file: string, hdu: Hdu): Promise<Image> {
  const xt = hdu.header.string('XTENSION');
  if (hdu.index > 0 && xt !== 'IMAGE') throw new FitsError(`HDU ${hdu.index} (${hdu.extname ?? 'unnamed'}) is a ${xt}, not an image`, file);
  const axes = imageAxes(hdu.header);
  try {
    const img = decodeImage(await readData(file, hdu, hdu.dataLength), hdu.header, axes);
    return axes.length === 1 ? { ...img, height: 1 } : img;
  } catch (err) {
    throw err instanceof FitsError && !err.file ? new FitsError(`HDU ${hdu.index}: ${err.message}`, file) : err;
  }
}

/** Reads a BINTABLE HDU. Throws FitsError for other HDU types or malformed column definitions. */
export async function readTable(file: string, hdu: Hdu): Promise<Table> {
  const xt = hdu.header.string('XTENSION');
  if (xt !== 'BINTABLE') throw new FitsError(`HDU ${hdu.index} (${hdu.extname ?? 'unnamed'}) is ${xt ? `a ${xt}` : 'the primary image'}, not a binary table`, file);
  const main = (hdu.header.number('NAXIS1') ?? 0) * (hdu.header.number('NAXIS2') ?? 0);
  try {
    return decodeTable(await readData(file, hdu, main), hdu.header);
  } catch (err) {
    throw err instanceof FitsError && !err.file ? new FitsError(`HDU ${hdu.index}: ${err.message}`, file) : err;
  }
}
