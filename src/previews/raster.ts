// An RGBA pixel buffer with the few drawing operations quick-look images need (rectangles, lines, bitmap text),
// encoded as PNG in png.ts: pure TypeScript and Node's zlib, no native canvas or system libraries.
import { glyph, GLYPH_ADVANCE, GLYPH_HEIGHT, textWidth } from './font.js';
import { encodePng } from './png.js';

// Module-level aliases: per-pixel lookups of globals are slow inside VM contexts (Jest), locals are not.
const { floor, round, max, min, abs, ceil } = Math;

export type Rgb = readonly [number, number, number];

export class Raster {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** Sets one pixel (ignored outside the raster); alpha blends over what is there. */
  set(x: number, y: number, c: Rgb, alpha = 1): void {
    x = floor(x);
    y = floor(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    if (alpha >= 1) {
      d[i] = c[0];
      d[i + 1] = c[1];
      d[i + 2] = c[2];
    } else {
      d[i] = round(d[i] * (1 - alpha) + c[0] * alpha);
      d[i + 1] = round(d[i + 1] * (1 - alpha) + c[1] * alpha);
      d[i + 2] = round(d[i + 2] * (1 - alpha) + c[2] * alpha);
    }
    d[i + 3] = 255;
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = max(0, floor(x));
    const y0 = max(0, floor(y));
    const x1 = min(this.width, floor(x + w));
    const y1 = min(this.height, floor(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 4;
        this.data[i] = c[0];
        this.data[i + 1] = c[1];
        this.data[i + 2] = c[2];
        this.data[i + 3] = 255;
      }
    }
  }

  strokeRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    this.fillRect(x, y, w, 1, c);
    this.fillRect(x, y + h - 1, w, 1, c);
    this.fillRect(x, y, 1, h, c);
    this.fillRect(x + w - 1, y, 1, h, c);
  }

  /** A line from (x0, y0) to (x1, y1), `width` pixels thick (DDA: one step per pixel of the longer axis). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, width = 1, alpha = 1): void {
    const steps = max(1, ceil(max(abs(x1 - x0), abs(y1 - y0))));
    const half = (width - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      if (width <= 1) this.set(x, y, c, alpha);
      else for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) this.set(x + dx, y + dy, c, alpha);
    }
  }

  /**
   * Draws text with its top-left corner at (x, y); `align` places x at the left, centre or right end.
   * `vertical` writes bottom-to-top (for a y-axis label). Returns the width drawn.
   */
  text(s: string, x: number, y: number, c: Rgb, o: { scale?: number; align?: 'left' | 'center' | 'right'; vertical?: boolean } = {}): number {
    const scale = o.scale ?? 1;
    const w = textWidth(s, scale);
    const shift = o.align === 'center' ? w / 2 : o.align === 'right' ? w : 0;
    for (let k = 0; k < s.length; k++) {
      const cols = glyph(s[k]);
      for (let col = 0; col < cols.length; col++) {
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          if (!((cols[col] >> row) & 1)) continue;
          const along = k * GLYPH_ADVANCE * scale + col * scale - shift;
          const across = row * scale;
          if (o.vertical) this.fillRect(x + across, y - along - scale, scale, scale, c);
          else this.fillRect(x + along, y + across, scale, scale, c);
        }
      }
    }
    return w;
  }

  /** The image as PNG bytes (8-bit RGB). */
  toPng(): Buffer {
    return encodePng(this.width, this.height, this.data);
  }
}
