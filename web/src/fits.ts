// Just enough FITS (4.0) in the browser to plot reduced spectra: headers, the primary and IMAGE extensions as
// Float32Arrays (BITPIX -32/-64/16/32 with BSCALE/BZERO), and string or number cells of a BINTABLE.
// The browser's own reader on purpose: the service's src/fits is Node code (files and Buffers), and the web app
// may import nothing from the server but src/domain/api-types.ts.
const BLOCK = 2880;

export interface Hdu {
  header: Map<string, string | number | boolean>;
  name: string;
  dataOffset: number;
  dataBytes: number;
}

function parseValue(raw: string): string | number | boolean {
  const v = raw.trim();
  if (v.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'/.exec(v);
    return (m ? m[1] : v.slice(1)).replace(/''/g, "'").trimEnd();
  }
  const bare = v.split('/')[0].trim();
  if (bare === 'T') return true;
  if (bare === 'F') return false;
  const n = Number(bare.replace(/D/i, 'E'));
  return Number.isFinite(n) ? n : bare;
}

export function readHdus(buf: ArrayBuffer): Hdu[] {
  const bytes = new Uint8Array(buf);
  const dec = new TextDecoder('latin1');
  const hdus: Hdu[] = [];
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const header = new Map<string, string | number | boolean>();
    let end = false;
    while (!end && at + BLOCK <= bytes.length) {
      const block = dec.decode(bytes.subarray(at, at + BLOCK));
      at += BLOCK;
      for (let i = 0; i < BLOCK; i += 80) {
        const card = block.slice(i, i + 80);
        const key = card.slice(0, 8).trim();
        if (key === 'END') {
          end = true;
          break;
        }
        if (card.slice(8, 10) === '= ' && !header.has(key)) header.set(key, parseValue(card.slice(10)));
      }
    }
    if (!end) break;
    const naxis = Number(header.get('NAXIS') ?? 0);
    let n = naxis ? 1 : 0;
    for (let k = 1; k <= naxis; k++) n *= Number(header.get(`NAXIS${k}`) ?? 0);
    const dataBytes = (Math.abs(Number(header.get('BITPIX'))) / 8) * Number(header.get('GCOUNT') ?? 1) * (Number(header.get('PCOUNT') ?? 0) + n);
    hdus.push({ header, name: String(header.get('EXTNAME') ?? (hdus.length ? '' : 'PRIMARY')).trim().toUpperCase(), dataOffset: at, dataBytes });
    at += Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return hdus;
}

export function readImage(buf: ArrayBuffer, hdu: Hdu): { width: number; height: number; data: Float32Array } {
  const h = hdu.header;
  const width = Number(h.get('NAXIS1') ?? 0);
  const height = Number(h.get('NAXIS') ?? 0) >= 2 ? Number(h.get('NAXIS2')) : 1;
  const bitpix = Number(h.get('BITPIX'));
  const bscale = Number(h.get('BSCALE') ?? 1);
  const bzero = Number(h.get('BZERO') ?? 0);
  const view = new DataView(buf, hdu.dataOffset, hdu.dataBytes);
  const n = width * height;
  const out = new Float32Array(n);
  const size = Math.abs(bitpix) / 8;
  for (let i = 0; i < n; i++) {
    const o = i * size;
    const raw = bitpix === -32 ? view.getFloat32(o) : bitpix === -64 ? view.getFloat64(o) : bitpix === 16 ? view.getInt16(o) : bitpix === 32 ? view.getInt32(o) : view.getUint8(o);
    out[i] = raw * bscale + bzero;
  }
  return { width, height, data: out };
}

/** Named columns of a BINTABLE as strings (A) or numbers (scalar I, J, K, E, D); others are skipped. */
export function readColumns(buf: ArrayBuffer, hdu: Hdu, names: string[]): Record<string, Array<string | number>> {
  const h = hdu.header;
  const rowBytes = Number(h.get('NAXIS1'));
  const rows = Number(h.get('NAXIS2'));
  const fields = Number(h.get('TFIELDS'));
  const view = new DataView(buf, hdu.dataOffset, hdu.dataBytes);
  const widths: Record<string, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };
  const out: Record<string, Array<string | number>> = {};
  let offset = 0;
  for (let k = 1; k <= fields; k++) {
    const m = /^(\d*)([A-Z])/.exec(String(h.get(`TFORM${k}`) ?? '').trim().toUpperCase());
    const repeat = m && m[1] ? Number(m[1]) : 1;
    const code = m ? m[2] : 'A';
    const name = String(h.get(`TTYPE${k}`) ?? '').trim().toUpperCase();
    if (names.includes(name)) {
      const col: Array<string | number> = [];
      for (let r = 0; r < rows; r++) {
        const o = r * rowBytes + offset;
        if (code === 'A') col.push(new TextDecoder('latin1').decode(new Uint8Array(buf, hdu.dataOffset + o, repeat)).replace(/[\0 ]+$/, ''));
        else if (code === 'I') col.push(view.getInt16(o));
        else if (code === 'J') col.push(view.getInt32(o));
        else if (code === 'K') col.push(Number(view.getBigInt64(o)));
        else if (code === 'E') col.push(view.getFloat32(o));
        else if (code === 'D') col.push(view.getFloat64(o));
      }
      out[name] = col;
    }
    offset += code === 'X' ? Math.ceil(repeat / 8) : repeat * (widths[code] ?? 1);
  }
  return out;
}
