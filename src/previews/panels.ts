// The two panels of a quick-look: a 2-D image (block-averaged into its box, percentile stretch, colour map) and
// a line plot with axes, ticks and a legend; both draw into a Raster. Pure apart from the raster they write.
import { GLYPH_HEIGHT, textWidth } from './font.js';
import type { Raster, Rgb } from './raster.js';
import { colourMap, displayRange, formatTick, niceTicks, sample } from './scales.js';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Axis {
  /** Data coordinate at the first and last pixel (or sample) centre. */
  lo: number;
  hi: number;
  label: string;
}

// Module-level aliases: per-pixel lookups of globals are slow inside VM contexts (Jest), locals are not.
const { floor, round, max, min } = Math;
const finite = Number.isFinite;

export const ink: Rgb = [34, 34, 34];
const grid: Rgb = [225, 225, 225];
const nanColour: Rgb = [70, 90, 110];

function xTicks(r: Raster, box: Box, axis: Axis): void {
  const t = niceTicks(min(axis.lo, axis.hi), max(axis.lo, axis.hi), max(3, floor(box.w / 110)));
  for (const v of t.values) {
    const px = box.x + ((v - axis.lo) / (axis.hi - axis.lo || 1)) * (box.w - 1);
    r.fillRect(px, box.y + box.h, 1, 5, ink);
    r.text(formatTick(v, t.decimals), px, box.y + box.h + 8, ink, { align: 'center' });
  }
  r.text(axis.label, box.x + box.w / 2, box.y + box.h + 22, ink, { align: 'center' });
}

/** Ticks on the left edge; `top` is the data value at the box's top edge. */
function yTicks(r: Raster, box: Box, top: number, bottom: number, label: string, gridLines: boolean): void {
  const t = niceTicks(min(top, bottom), max(top, bottom), max(3, floor(box.h / 60)));
  let widest = 0;
  for (const v of t.values) {
    const py = box.y + ((v - top) / (bottom - top || 1)) * (box.h - 1);
    if (gridLines) r.fillRect(box.x + 1, py, box.w - 2, 1, grid);
    r.fillRect(box.x - 5, py, 5, 1, ink);
    const s = formatTick(v, t.decimals);
    widest = max(widest, textWidth(s));
    r.text(s, box.x - 8, py - GLYPH_HEIGHT / 2 + 1, ink, { align: 'right' });
  }
  r.text(label, box.x - 16 - widest - GLYPH_HEIGHT, box.y + box.h / 2 + textWidth(label) / 2, ink, { vertical: true });
}

export interface ImagePanel {
  width: number;
  height: number;
  data: ArrayLike<number>;
  x: Axis;
  y: Axis;
  /** Row 0 at the top (a table of fibres) rather than at the bottom (the FITS image convention). */
  firstRowOnTop: boolean;
}

/** Draws the image into box (each output pixel the mean of the finite pixels it covers); returns the stretch. */
export function drawImage(r: Raster, box: Box, img: ImagePanel): [number, number] {
  const [lo, hi] = displayRange(sample(img.data), 1, 99.5);
  const scale = 255 / (hi - lo);
  // At most 4 x 4 source pixels per output pixel are averaged: enough to show structure, bounded cost.
  const sx = img.width / box.w;
  const sy = img.height / box.h;
  const nx = max(1, min(4, floor(sx)));
  const ny = max(1, min(4, floor(sy)));
  for (let oy = 0; oy < box.h; oy++) {
    const row = img.firstRowOnTop ? oy : box.h - 1 - oy;
    for (let ox = 0; ox < box.w; ox++) {
      let sum = 0;
      let n = 0;
      for (let j = 0; j < ny; j++) {
        const y = min(img.height - 1, floor((row + (j + 0.5) / ny) * sy));
        for (let i = 0; i < nx; i++) {
          const x = min(img.width - 1, floor((ox + (i + 0.5) / nx) * sx));
          const v = img.data[y * img.width + x];
          if (finite(v)) {
            sum += v;
            n++;
          }
        }
      }
      // Written straight into the raster: this loop runs for every pixel of the box.
      const at = ((box.y + oy) * r.width + box.x + ox) * 4;
      if (!n) {
        r.data.set(nanColour, at);
      } else {
        const k = max(0, min(255, round((sum / n - lo) * scale))) * 3;
        r.data[at] = colourMap[k];
        r.data[at + 1] = colourMap[k + 1];
        r.data[at + 2] = colourMap[k + 2];
      }
      r.data[at + 3] = 255;
    }
  }
  r.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2, ink);
  xTicks(r, box, img.x);
  const [top, bottom] = img.firstRowOnTop ? [img.y.lo, img.y.hi] : [img.y.hi, img.y.lo];
  yTicks(r, box, top, bottom, img.y.label, false);
  return [lo, hi];
}

export interface Series {
  y: ArrayLike<number>;
  colour: Rgb;
  label: string;
}

/** A line plot of series sampled on the same x grid (x.lo at index 0, x.hi at the last index). */
export function drawPlot(r: Raster, box: Box, x: Axis, yLabel: string, series: Series[]): void {
  const all = new Float64Array(series.reduce((a, s) => a + s.y.length, 0));
  let k = 0;
  for (const s of series) for (let i = 0; i < s.y.length; i++) all[k++] = s.y[i];
  let [lo, hi] = displayRange(sample(all), 0.5, 99.5);
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  yTicks(r, box, hi, lo, yLabel, true);
  r.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2, ink);
  xTicks(r, box, x);
  const clampY = (v: number) => max(box.y, min(box.y + box.h - 1, box.y + ((hi - v) / (hi - lo)) * (box.h - 1)));
  for (const s of series) {
    const n = s.y.length;
    let prev: [number, number] | null = null;
    for (let i = 0; i < n; i++) {
      const v = s.y[i];
      if (!finite(v)) {
        prev = null;
        continue;
      }
      const px = box.x + (n > 1 ? (i / (n - 1)) * (box.w - 1) : box.w / 2);
      const py = clampY(v);
      if (prev) r.line(prev[0], prev[1], px, py, s.colour, 1);
      else r.set(px, py, s.colour);
      prev = [px, py];
    }
  }
  legend(r, box, series);
}

function legend(r: Raster, box: Box, series: Series[]): void {
  // One row above the plot box, so no key ever hides a spectrum.
  let x = box.x;
  const y = box.y - 16;
  for (const s of series) {
    r.fillRect(x, y + 3, 18, 3, s.colour);
    x += 24 + r.text(s.label, x + 24, y, ink) + 18;
  }
}
