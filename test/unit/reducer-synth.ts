// Synthetic arrays for the reducer's unit tests: a seeded normal generator and pixel-integrated
// Gaussian profiles, so the tests know the exact truth they compare against.
import { normalCdf } from '../../src/reducer/maths/gaussian.js';

/** mulberry32 uniform generator + Box-Muller normals; deterministic per seed. */
export function rng(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

/** Fraction of a unit Gaussian (centre c, sigma s) falling in pixel i = [i - 0.5, i + 0.5]. */
export function pixelFraction(i: number, c: number, s: number): number {
  return normalCdf((i + 0.5 - c) / s) - normalCdf((i - 0.5 - c) / s);
}

/** 0-based centre of fibre f (0-based) at column x in the synthetic flats. */
export function traceY(f: number, x: number, width: number): number {
  const t = (x - width / 2) / width;
  return 4 + 10.2 * f + 1.5 * t * t + 0.3 * t + 0.0008 * f * t;
}

export interface SyntheticFlat {
  image: Float32Array;
  variance: Float32Array;
  width: number;
  height: number;
  lit: Uint8Array;
  amp: Float64Array;
}

/**
 * A fibre flat of 400 fibres (guide fibres every 50th and the listed broken ones dark), sigma 1.1
 * rows, throughputs 0.8-1.1, lamp level `level` counts per column, Poisson + read noise.
 */
export function syntheticFlat(width: number, seed: number, broken: number[] = [], level = 20000, sigma = 1.1): SyntheticFlat {
  const height = 4098;
  const r = rng(seed);
  const image = new Float32Array(width * height);
  const lit = new Uint8Array(400);
  const amp = new Float64Array(400);
  for (let f = 0; f < 400; f++) {
    lit[f] = (f + 1) % 50 === 0 || broken.includes(f) ? 0 : 1;
    amp[f] = lit[f] ? level * (0.8 + 0.3 * r.uniform()) : 0;
  }
  for (let f = 0; f < 400; f++) {
    if (!lit[f]) continue;
    for (let x = 0; x < width; x++) {
      const c = traceY(f, x, width);
      for (let y = Math.max(0, Math.floor(c - 6)); y <= Math.min(height - 1, Math.ceil(c + 6)); y++) image[y * width + x] += amp[f] * pixelFraction(y, c, sigma);
    }
  }
  const gain = 1.88;
  const rn = 3.61 / gain;
  const variance = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const v = Math.max(image[i], 0) / gain + rn * rn;
    variance[i] = v;
    image[i] += Math.sqrt(v) * r.normal();
  }
  return { image, variance, width, height, lit, amp };
}
