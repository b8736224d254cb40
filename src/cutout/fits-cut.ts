// The FITS answer of a SODA cut: the product with its HDU structure kept, every plane on the fibre and wavelength
// axes cut to the selection, the FIBRES rows that remain, and the WCS moved to the first kept pixel. Pixels and
// table rows are copied as bytes, so values, BZERO/BSCALE and column formats survive exactly.
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
// The block and card formatting of the FITS writer: headers here are edited copies, not generated ones.
import { BLOCK, formatHeader } from '../fits/cards.js';
import { Header, type Hdu } from '../fits/index.js';
import type { CutSelection } from './cut.js';
import type { ProductFile } from './product-file.js';

async function readBytes(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  for (let got = 0; got < length; ) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) throw new Error('unexpected end of file');
    got += bytesRead;
  }
  return buf;
}

type Axis = 'wavelength' | 'fibre';

/** How an image HDU's axes relate to the primary (pixels x spectra): which of its axes are cut. */
function imageAxes(p: ProductFile, h: Hdu): Axis[] | null {
  const naxis = h.header.number('NAXIS') ?? 0;
  const n1 = h.header.number('NAXIS1') ?? 0;
  const n2 = h.header.number('NAXIS2') ?? 0;
  if (naxis === 2 && n1 === p.nPix && n2 === p.nRows) return ['wavelength', 'fibre'];
  if (naxis !== 1) return null;
  // 1-D planes: a sky spectrum runs along wavelength, per-fibre vectors (THPUT) along the slit.
  const perFibre = h.extname?.toUpperCase() === 'THPUT' || (n1 === p.nRows && n1 !== p.nPix);
  if (perFibre && n1 === p.nRows) return ['fibre'];
  if (n1 === p.nPix) return ['wavelength'];
  return null;
}

function cutImage(data: Buffer, bpp: number, width: number, height: number, rows: number[] | null, px: [number, number] | null): Buffer {
  const [c0, c1] = px ?? [0, width - 1];
  const keep = rows ?? Array.from({ length: height }, (_, i) => i);
  const rowBytes = (c1 - c0 + 1) * bpp;
  const out = Buffer.allocUnsafe(keep.length * rowBytes);
  keep.forEach((r, k) => data.copy(out, k * rowBytes, (r * width + c0) * bpp, (r * width + c1 + 1) * bpp));
  return out;
}

function pad(n: number): Buffer {
  return Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);
}

/** Moves a linear WCS axis when the first kept pixel is `first` (0-based); drops it where rows are not contiguous. */
function shiftWcs(h: Header, axis: 1 | 2, first: number, contiguous: boolean): void {
  if (!h.has(`CRPIX${axis}`)) return;
  if (contiguous) h.set(`CRPIX${axis}`, (h.number(`CRPIX${axis}`) ?? 1) - first);
  else for (const k of ['CRPIX', 'CRVAL', 'CDELT']) h.delete(`${k}${axis}`);
}

/**
 * Writes the cut of `p` to `outFile` atomically and returns its size in bytes.
 * @param history lines recorded in the primary header (what was asked for).
 */
export async function writeFitsCut(p: ProductFile, sel: CutSelection, outFile: string, history: string[]): Promise<number> {
  const rows = sel.rows;
  const contiguousRows = !rows || rows.every((r, i) => i === 0 || r === rows[i - 1] + 1);
  const parts: Buffer[] = [];
  const fh = await open(p.file, 'r');
  try {
    for (const h of p.hdus) {
      const header = h.header.clone();
      let data = h.dataLength ? await readBytes(fh, h.dataOffset, h.dataLength) : Buffer.alloc(0);
      const isTable = h.header.string('XTENSION') === 'BINTABLE';
      if (isTable && h === p.fibresHdu && rows && (h.header.number('PCOUNT') ?? 0) === 0) {
        const rowBytes = h.header.number('NAXIS1') ?? 0;
        const out = Buffer.allocUnsafe(rows.length * rowBytes);
        rows.forEach((r, k) => data.copy(out, k * rowBytes, r * rowBytes, (r + 1) * rowBytes));
        data = out;
        header.set('NAXIS2', rows.length);
      } else if (!isTable && h.dataLength) {
        const axes = imageAxes(p, h);
        if (axes) {
          const bpp = Math.abs(h.header.number('BITPIX') ?? 8) / 8;
          const width = h.header.number('NAXIS1') ?? 0;
          const height = axes.length === 2 ? (h.header.number('NAXIS2') ?? 1) : 1;
          const alongWave = axes[0] === 'wavelength';
          if (axes.length === 2) {
            data = cutImage(data, bpp, width, height, rows, sel.pixels);
            if (sel.pixels) header.set('NAXIS1', sel.pixels[1] - sel.pixels[0] + 1);
            if (rows) header.set('NAXIS2', rows.length);
          } else if (alongWave && sel.pixels) {
            data = cutImage(data, bpp, width, 1, null, sel.pixels);
            header.set('NAXIS1', sel.pixels[1] - sel.pixels[0] + 1);
          } else if (!alongWave && rows) {
            // A per-fibre vector: its "columns" are the rows.
            data = Buffer.concat(rows.map((r) => data.subarray(r * bpp, (r + 1) * bpp)));
            header.set('NAXIS1', rows.length);
          }
          if (alongWave && sel.pixels) shiftWcs(header, 1, sel.pixels[0], true);
          if (axes.length === 2 && rows) shiftWcs(header, 2, rows[0], contiguousRows);
        }
      }
      if (h.index === 0) for (const line of history) header.history(line);
      parts.push(formatHeader(header.cards), data, pad(data.length));
    }
  } finally {
    await fh.close();
  }
  const tmp = path.join(path.dirname(outFile), `.${path.basename(outFile)}.${randomBytes(6).toString('hex')}.tmp`);
  const out = await open(tmp, 'w');
  let size = 0;
  try {
    for (const b of parts) {
      for (let off = 0; off < b.length; ) off += (await out.write(b, off, b.length - off)).bytesWritten;
      size += b.length;
    }
    await out.close();
    await rename(tmp, outFile);
  } catch (err) {
    await out.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  return size;
}
