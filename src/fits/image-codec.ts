// Big-endian image data <-> typed arrays, converting whole buffers at once (Buffer.swapNN), never per pixel objects.
import { FitsError } from './errors.js';
import type { Header } from './header.js';

export type ImageBitpix = 8 | 16 | 32 | 64 | -32 | -64;
export type ImageInput = Float32Array | Float64Array | Int16Array | Uint16Array | Int32Array;

export interface Image {
  /** NAXIS1, NAXIS2, ... (NAXIS1 varies fastest). */
  axes: number[];
  width: number;
  height: number;
  /** Row-major: data[y * width + x]; BSCALE/BZERO applied; integer BLANK becomes NaN. */
  data: Float32Array | Float64Array;
}

export function bytesPerPixel(bitpix: number): number {
  return Math.abs(bitpix) / 8;
}

/** Decodes `raw` (big-endian, exactly the unpadded data; modified in place) per BITPIX/BSCALE/BZERO/BLANK. */
export function decodeImage(raw: Buffer, header: Header, axes: number[]): Image {
  const bitpix = header.number('BITPIX') as ImageBitpix;
  const bscale = header.number('BSCALE') ?? 1;
  const bzero = header.number('BZERO') ?? 0;
  const blank = header.number('BLANK');
  const n = axes.length === 0 ? 0 : axes.reduce((a, b) => a * b, 1);
  const width = axes[0] ?? 0;
  const height = axes.length === 0 ? 0 : n / Math.max(width, 1);
  if (raw.length !== n * bytesPerPixel(bitpix)) throw new FitsError(`image data is ${raw.length} bytes, expected ${n * bytesPerPixel(bitpix)}`);
  // raw is a fresh, 8-byte-aligned allocation (see read.ts), so typed-array views over it are valid.
  const ab = raw.buffer;
  const off = raw.byteOffset;
  let src: ArrayLike<number> | BigInt64Array;
  switch (bitpix) {
    case 8: src = new Uint8Array(ab, off, n); break;
    case 16: raw.swap16(); src = new Int16Array(ab, off, n); break;
    case 32: raw.swap32(); src = new Int32Array(ab, off, n); break;
    case 64: raw.swap64(); src = new BigInt64Array(ab, off, n); break;
    case -32: raw.swap32(); src = new Float32Array(ab, off, n); break;
    case -64: raw.swap64(); src = new Float64Array(ab, off, n); break;
    default: throw new FitsError(`unsupported BITPIX ${bitpix}`);
  }
  const scaled = bscale !== 1 || bzero !== 0;
  if (bitpix === -32 && !scaled) return { axes, width, height, data: src as Float32Array };
  if (bitpix === -64 && !scaled) return { axes, width, height, data: src as Float64Array };
  const data = bitpix === -64 || bitpix === 64 ? new Float64Array(n) : new Float32Array(n);
  if (src instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) data[i] = blank !== undefined && Number(src[i]) === blank ? NaN : Number(src[i]) * bscale + bzero;
  } else if (blank !== undefined && bitpix > 0) {
    for (let i = 0; i < n; i++) data[i] = src[i] === blank ? NaN : src[i] * bscale + bzero;
  } else {
    for (let i = 0; i < n; i++) data[i] = src[i] * bscale + bzero;
  }
  return { axes, width, height, data };
}

/** Encodes image pixels as big-endian bytes for BITPIX; returns the bytes and the BZERO to declare (if any). */
export function encodeImage(data: ImageInput, bitpix: number): { bytes: Buffer; bzero?: number } {
  const n = data.length;
  switch (bitpix) {
    case 16: {
      if (data instanceof Uint16Array) {
        // Unsigned 16-bit convention: store v - 32768 and declare BZERO = 32768 (FITS 4.0 table 11).
        const out = new Uint16Array(n);
        for (let i = 0; i < n; i++) out[i] = data[i] ^ 0x8000;
        return { bytes: Buffer.from(out.buffer, 0, n * 2).swap16(), bzero: 32768 };
      }
      if (data instanceof Int16Array) return { bytes: Buffer.from(data.slice().buffer, 0, n * 2).swap16() };
      throw new FitsError('BITPIX 16 needs an Int16Array or a Uint16Array');
    }
    case 32:
      if (data instanceof Int32Array) return { bytes: Buffer.from(data.slice().buffer, 0, n * 4).swap32() };
      throw new FitsError('BITPIX 32 needs an Int32Array');
    case -32: {
      const out = data instanceof Float32Array ? data.slice() : Float32Array.from(data);
      return { bytes: Buffer.from(out.buffer, 0, n * 4).swap32() };
    }
    case -64: {
      const out = data instanceof Float64Array ? data.slice() : Float64Array.from(data);
      return { bytes: Buffer.from(out.buffer, 0, n * 8).swap64() };
    }
    default:
      throw new FitsError(`writing BITPIX ${bitpix} is not supported (use 16, 32, -32 or -64)`);
  }
}
