// Binary tables (FITS 4.0 section 7.3): scalar L, B, I, J, K, E, D columns and rA strings, with TNULL.
import { FitsError } from './errors.js';
import type { Header } from './header.js';

export type CellValue = string | number | bigint | boolean | null;

export interface TableColumn {
  name: string;
  tform: string;
  unit?: string;
  /** A: right-trimmed string; I/J/B: number; K: number when safe, else bigint; E/D: number (NaN -> null); TNULL -> null. Vector columns (repeat > 1, except A) read as null. */
  values: CellValue[];
}

export interface Table {
  nrows: number;
  columns: TableColumn[];
  /** Case-insensitive lookup by TTYPE. */
  column(name: string): TableColumn | undefined;
}

export interface TableColumnSpec {
  name: string;
  tform: string;
  unit?: string;
  /** Stored in integer columns for null values (declared as TNULLn). */
  tnull?: number;
  values: CellValue[];
}

const widths: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

export interface Tform {
  repeat: number;
  code: string;
  bytes: number;
}

export function parseTform(tform: string): Tform {
  const m = /^\s*(\d*)([LXBIJKAEDCMPQ])/.exec(tform.toUpperCase());
  if (!m) throw new FitsError(`unsupported TFORM ${JSON.stringify(tform)}`);
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  const code = m[2];
  const bytes = code === 'X' ? Math.ceil(repeat / 8) : repeat * widths[code];
  return { repeat, code, bytes };
}

export function makeTable(nrows: number, columns: TableColumn[]): Table {
  return { nrows, columns, column: (name) => columns.find((c) => c.name.toUpperCase() === name.toUpperCase()) };
}

function decodeCell(view: DataView, at: number, f: Tform, tnull: number | bigint | undefined, tscal: number, tzero: number): CellValue {
  let raw: number | bigint;
  switch (f.code) {
    case 'L': {
      const b = view.getUint8(at);
      return b === 0x54 ? true : b === 0x46 ? false : null;
    }
    case 'B': raw = view.getUint8(at); break;
    case 'I': raw = view.getInt16(at); break;
    case 'J': raw = view.getInt32(at); break;
    case 'K': raw = view.getBigInt64(at); break;
    case 'E': case 'D': {
      const v = f.code === 'E' ? view.getFloat32(at) : view.getFloat64(at);
      return Number.isNaN(v) ? null : v * tscal + tzero;
    }
    default: return null;
  }
  if (tnull !== undefined && (typeof raw === 'bigint' ? BigInt(tnull) === raw : Number(tnull) === raw)) return null;
  if (typeof raw === 'bigint') {
    const big = tscal === 1 && Number.isInteger(tzero) ? raw + BigInt(tzero) : null;
    if (big === null) return Number(raw) * tscal + tzero;
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  return raw * tscal + tzero;
}

/** Decodes the main table (`raw` = NAXIS1 x NAXIS2 bytes; the heap is ignored). */
export function decodeTable(raw: Buffer, header: Header): Table {
  const rowBytes = header.number('NAXIS1') ?? 0;
  const nrows = header.number('NAXIS2') ?? 0;
  const nfields = header.number('TFIELDS') ?? 0;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const columns: TableColumn[] = [];
  let offset = 0;
  for (let c = 1; c <= nfields; c++) {
    const tform = header.string(`TFORM${c}`);
    if (!tform) throw new FitsError(`TFORM${c} missing`);
    const f = parseTform(tform);
    const tn = header.get(`TNULL${c}`);
    const tnull = typeof tn === 'bigint' || (typeof tn === 'number' && Number.isInteger(tn)) ? tn : undefined;
    const tscal = header.number(`TSCAL${c}`) ?? 1;
    const tzero = header.number(`TZERO${c}`) ?? 0;
    const values: CellValue[] = new Array(nrows);
    for (let r = 0; r < nrows; r++) {
      const at = r * rowBytes + offset;
      if (f.code === 'A') {
        const s = raw.toString('latin1', at, at + f.bytes);
        const nul = s.indexOf('\0');
        values[r] = (nul < 0 ? s : s.slice(0, nul)).trimEnd();
      } else values[r] = f.repeat === 1 ? decodeCell(view, at, f, tnull, tscal, tzero) : null;
    }
    const unit = header.string(`TUNIT${c}`);
    columns.push({ name: header.string(`TTYPE${c}`) ?? `COL${c}`, tform, ...(unit ? { unit } : {}), values });
    offset += f.bytes;
  }
  if (offset !== rowBytes) throw new FitsError(`TFORMs add up to ${offset} bytes a row but NAXIS1 is ${rowBytes}`);
  return makeTable(nrows, columns);
}

const intRange: Record<string, [number, number]> = { B: [0, 255], I: [-32768, 32767], J: [-2147483648, 2147483647] };

function encodeCell(view: DataView, buf: Buffer, at: number, f: Tform, col: TableColumnSpec, v: CellValue, row: number): void {
  const where = () => `column ${col.name} row ${row}`;
  if (f.code === 'A') {
    const s = v === null ? '' : String(v);
    if (!/^[\x20-\x7e]*$/.test(s)) throw new FitsError(`${where()}: non-ASCII string`);
    if (s.length > f.repeat) throw new FitsError(`${where()}: string of ${s.length} characters does not fit ${col.tform}`);
    buf.write(s.padEnd(f.repeat), at, 'latin1');
    return;
  }
  if (f.code === 'L') return view.setUint8(at, v === null ? 0 : v ? 0x54 : 0x46);
  if (f.code === 'E' || f.code === 'D') {
    const x = v === null ? NaN : Number(v);
    return f.code === 'E' ? view.setFloat32(at, x) : view.setFloat64(at, x);
  }
  if (v === null) {
    if (col.tnull === undefined) throw new FitsError(`${where()}: null in an integer column without tnull`);
    v = col.tnull;
  }
  if (f.code === 'K') {
    if (typeof v !== 'bigint' && !Number.isInteger(v)) throw new FitsError(`${where()}: ${String(v)} is not an integer`);
    const big = BigInt(v as number | bigint);
    if (big < -(2n ** 63n) || big >= 2n ** 63n) throw new FitsError(`${where()}: ${big} out of 64-bit range`);
    return view.setBigInt64(at, big);
  }
  const n = Number(v);
  const [lo, hi] = intRange[f.code];
  if (!Number.isInteger(n) || n < lo || n > hi) throw new FitsError(`${where()}: ${String(v)} does not fit ${col.tform}`);
  if (f.code === 'B') view.setUint8(at, n);
  else if (f.code === 'I') view.setInt16(at, n);
  else view.setInt32(at, n);
}

/** Encodes a table; returns the data bytes, row width and the column keywords to declare. */
export function encodeTable(columns: TableColumnSpec[]): { bytes: Buffer; rowBytes: number; nrows: number; forms: Tform[] } {
  const nrows = columns[0]?.values.length ?? 0;
  const forms = columns.map((c) => {
    const f = parseTform(c.tform);
    if (!'LBIJKAED'.includes(f.code) || (f.code !== 'A' && f.repeat !== 1)) throw new FitsError(`writing TFORM ${c.tform} (column ${c.name}) is not supported`);
    if (c.values.length !== nrows) throw new FitsError(`column ${c.name} has ${c.values.length} values, expected ${nrows}`);
    if (c.tnull !== undefined && !'BIJK'.includes(f.code)) throw new FitsError(`TNULL applies to integer columns only (column ${c.name})`);
    return f;
  });
  const rowBytes = forms.reduce((a, f) => a + f.bytes, 0);
  const bytes = Buffer.alloc(rowBytes * nrows);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let offset = 0;
  columns.forEach((col, c) => {
    const f = forms[c];
    for (let r = 0; r < nrows; r++) encodeCell(view, bytes, r * rowBytes + offset, f, col, col.values[r], r);
    offset += f.bytes;
  });
  return { bytes, rowBytes, nrows, forms };
}
