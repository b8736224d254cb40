// PNG encoding (ISO/IEC 15948): 8-bit RGB, every row with the "Sub" filter (runs of equal pixels in plots and
// smooth image rows deflate to almost nothing), zlib from Node. Written out because the whole format needed here
// is IHDR + IDAT + IEND, and the filter loop must stay fast even where globals are slow (tests run the
// renderer inside Jest's VM contexts, where pngjs's encoder takes seconds per image).
import { crc32, deflateSync } from 'node:zlib';

const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes RGBA pixels (row-major, 4 bytes a pixel; alpha is dropped) as an RGB PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`encodePng: expected ${width * height * 4} bytes, got ${rgba.length}`);
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 1; // filter type Sub: each byte minus the same channel of the pixel to its left
    let src = y * width * 4;
    let dst = row + 1;
    let pr = 0;
    let pg = 0;
    let pb = 0;
    for (let x = 0; x < width; x++, src += 4, dst += 3) {
      const r = rgba[src];
      const g = rgba[src + 1];
      const b = rgba[src + 2];
      raw[dst] = (r - pr) & 255;
      raw[dst + 1] = (g - pg) & 255;
      raw[dst + 2] = (b - pb) & 255;
      pr = r;
      pg = g;
      pb = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  // compression 0 (deflate), filter method 0, no interlace: the remaining three bytes stay 0
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))]);
}
