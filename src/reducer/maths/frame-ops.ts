// Pixel-wise calibration of an image with its variance: bias and scaled dark subtraction,
// long-slit flat division, and the long-slit flat normalisation itself.
import { blockMedianBaseline } from './stats.js';

/** image -= scale * other; variance += scale^2 * otherVariance (sizes must agree). */
export function subtractScaled(image: Float32Array, variance: Float32Array, other: Float32Array, otherVariance: Float32Array | null, scale: number): void {
  const s2 = scale * scale;
  for (let i = 0; i < image.length; i++) {
    image[i] -= scale * other[i];
    if (otherVariance) variance[i] += s2 * otherVariance[i];
  }
}

/** image /= flat, variance /= flat^2; pixels whose flat is not positive and finite become NaN (bad). */
export function divideByFlat(image: Float32Array, variance: Float32Array, flat: Float32Array): void {
  for (let i = 0; i < image.length; i++) {
    const f = flat[i];
    if (f > 0 && Number.isFinite(f)) {
      image[i] /= f;
      variance[i] /= f * f;
    } else {
      image[i] = NaN;
      variance[i] = NaN;
    }
  }
}

/**
 * Pixel-to-pixel response from a long-slit (detector) flat: each row divided by its own smooth
 * baseline (block medians of `block` columns), so only small-scale sensitivity remains; pixels with
 * too little light to tell (baseline below minLevel) are set to 1.
 */
export function normaliseLongSlitFlat(image: Float32Array, variance: Float32Array, width: number, height: number, block = 32, minLevel = 10): void {
  const base = new Float64Array(width);
  const scratch = new Float64Array(block * 2);
  for (let y = 0; y < height; y++) {
    const off = y * width;
    blockMedianBaseline(image, off, width, block, base, scratch);
    for (let x = 0; x < width; x++) {
      const b = base[x];
      if (b > minLevel) {
        image[off + x] /= b;
        variance[off + x] /= b * b;
      } else {
        image[off + x] = 1;
        variance[off + x] = 0;
      }
    }
  }
}
