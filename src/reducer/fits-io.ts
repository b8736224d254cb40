// Reading the FITS inputs of a reduction step, turning every low-level failure (missing, truncated,
// not FITS, wrong HDU) into a ReducerError that names the file and what it was meant to be.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { findHdu, readHeaders, readImage, readTable, type Hdu, type Header, type TableColumnSpec } from '../fits/index.js';
import { ReducerError } from './errors.js';

export interface FitsInput {
  path: string;
  /** The name as given on the command line, for messages. */
  name: string;
  /** What the file is for ("RAW file", "TLMAP_FILENAME"...), for messages. */
  role: string;
  hdus: Hdu[];
}

export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
  header: Header;
}

export interface FibreTable {
  nrows: number;
  columns: TableColumnSpec[];
  header: Header;
  /** TYPE per row: P, S, F, N, U ('' when the column is missing). */
  types: string[];
  names: string[];
}

function fail(f: { name: string; role: string }, message: string): ReducerError {
  return new ReducerError(`cannot read ${f.role} ${f.name}: ${message}`);
}

function reason(err: unknown): string {
  const m = (err as Error).message ?? String(err);
  // FitsError prefixes the full path; the file is already named.
  const i = m.indexOf(': ');
  return i > 0 && m.slice(0, i).includes(path.sep) ? m.slice(i + 2) : m;
}

export async function openFits(file: string, name: string, role: string): Promise<FitsInput> {
  try {
    return { path: file, name, role, hdus: await readHeaders(file) };
  } catch (err) {
    throw fail({ name, role }, reason(err));
  }
}

export function hasHdu(f: FitsInput, ext: string): boolean {
  return findHdu(f.hdus, ext) !== undefined;
}

/** A 1-D or 2-D image HDU as float32. */
export async function readPlane(f: FitsInput, ext: string): Promise<Plane> {
  const hdu = findHdu(f.hdus, ext);
  if (!hdu) throw fail(f, `it has no ${ext} HDU`);
  try {
    const img = await readImage(f.path, hdu);
    if (img.axes.length < 1 || img.axes.length > 2 || img.data.length === 0) throw new Error(`${ext} is not a 1-D or 2-D image`);
    const data = img.data instanceof Float32Array ? img.data : Float32Array.from(img.data);
    return { data, width: img.width, height: img.height, header: hdu.header };
  } catch (err) {
    throw fail(f, reason(err));
  }
}

/** The fibre table (FIBRES or STRUCT.MORE.FIBRES), or null when the file has none. */
export async function readFibres(f: FitsInput): Promise<FibreTable | null> {
  const hdu = findHdu(f.hdus, 'FIBRES');
  if (!hdu) return null;
  try {
    const t = await readTable(f.path, hdu);
    const columns: TableColumnSpec[] = t.columns.map((c, i) => {
      const tnull = hdu.header.number(`TNULL${i + 1}`);
      return { name: c.name, tform: c.tform, ...(c.unit ? { unit: c.unit } : {}), ...(tnull !== undefined ? { tnull } : {}), values: c.values };
    });
    const col = (n: string) => t.column(n)?.values.map((v) => (v === null ? '' : String(v).trim())) ?? Array.from({ length: t.nrows }, () => '');
    return { nrows: t.nrows, columns, header: hdu.header, types: col('TYPE').map((s) => s.toUpperCase()), names: col('NAME') };
  } catch (err) {
    throw fail(f, reason(err));
  }
}

/** A two-column string table such as REDUCTION_ARGS, as a map; empty when absent. */
export async function readStringPairs(f: FitsInput, ext: string, keyCol: string, valueCol: string): Promise<Map<string, string>> {
  const hdu = findHdu(f.hdus, ext);
  if (!hdu) return new Map();
  try {
    const t = await readTable(f.path, hdu);
    const k = t.column(keyCol)?.values ?? [];
    const v = t.column(valueCol)?.values ?? [];
    return new Map(k.map((key, i) => [String(key ?? '').trim(), String(v[i] ?? '').trim()]));
  } catch (err) {
    throw fail(f, reason(err));
  }
}

export interface RowReader {
  width: number;
  height: number;
  header: Header;
  /** Reads rows [y0, y0 + n) into out (n * width values). */
  read(y0: number, n: number, out: Float32Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Row-band access to a 2-D image HDU, so combining many full frames holds one band of each in memory:
 * unscaled BITPIX -32 (every product this reducer writes) is read straight from disk; anything else is
 * decoded whole once.
 */
export async function openRows(f: FitsInput, ext: string): Promise<RowReader> {
  const hdu = findHdu(f.hdus, ext);
  if (!hdu) throw fail(f, `it has no ${ext} HDU`);
  const h = hdu.header;
  const width = h.number('NAXIS1') ?? 0;
  const height = h.number('NAXIS') === 2 ? (h.number('NAXIS2') ?? 0) : 1;
  const direct = h.number('BITPIX') === -32 && (h.number('BSCALE') ?? 1) === 1 && (h.number('BZERO') ?? 0) === 0;
  if (!direct) {
    const plane = await readPlane(f, ext);
    return {
      width: plane.width,
      height: plane.height,
      header: h,
      read: async (y0, n, out) => out.set(plane.data.subarray(y0 * plane.width, (y0 + n) * plane.width)),
      close: async () => undefined,
    };
  }
  const fh = await open(f.path, 'r');
  return {
    width,
    height,
    header: h,
    async read(y0, n, out) {
      const bytes = n * width * 4;
      const buf = Buffer.from(out.buffer, out.byteOffset, bytes);
      let got = 0;
      while (got < bytes) {
        const { bytesRead } = await fh.read(buf, got, bytes - got, hdu.dataOffset + y0 * width * 4 + got);
        if (bytesRead === 0) throw fail(f, `truncated data in ${ext}`);
        got += bytesRead;
      }
      buf.swap32();
    },
    close: () => fh.close(),
  };
}
