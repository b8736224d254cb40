import { blockMedianBaseline, medianInPlace, select, madSigma } from '../../src/reducer/maths/stats.js';
import { evalPoly, fitPoly, fitPolyClipped } from '../../src/reducer/maths/polyfit.js';
import { erf, fitGaussian, logParabolaPeak } from '../../src/reducer/maths/gaussian.js';
import { ccdVariance, subtractOverscan } from '../../src/reducer/maths/overscan.js';
import { medianCombine, medianVarianceFactor } from '../../src/reducer/maths/image-combine.js';
import { divideByFlat, subtractScaled } from '../../src/reducer/maths/frame-ops.js';
import { pixelFraction, rng } from './reducer-synth.js';

describe('order statistics', () => {
  it('select and median agree with a full sort for random arrays', () => {
    const r = rng(1);
    for (const n of [1, 2, 3, 7, 16, 17, 100, 1001]) {
      const a = Float64Array.from({ length: n }, () => Math.round(r.normal() * 5) + 0);
      const sorted = Float64Array.from(a).sort();
      const k = Math.floor(n / 3);
      expect(select(Float64Array.from(a), n, k)).toBe(sorted[k]);
      const expected = n % 2 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      expect(medianInPlace(Float64Array.from(a), n)).toBe(expected);
    }
  });

  it('madSigma estimates a Gaussian sigma despite 10% outliers', () => {
    const r = rng(2);
    const a = Float64Array.from({ length: 5000 }, (_, i) => (i % 10 === 0 ? 1000 : 3 * r.normal()));
    expect(madSigma(a, a.length, 0)).toBeCloseTo(3, 0);
  });

  it('blockMedianBaseline follows a slope and ignores narrow lines', () => {
    const n = 1000;
    const s = Float64Array.from({ length: n }, (_, x) => 100 + 0.1 * x + (x % 97 < 3 ? 500 : 0));
    const out = new Float64Array(n);
    blockMedianBaseline(s, 0, n, 50, out, new Float64Array(100));
    for (let x = 25; x < n - 25; x++) expect(Math.abs(out[x] - (100 + 0.1 * x))).toBeLessThan(1.5);
  });
});

describe('polynomial fits', () => {
  it('recovers a cubic exactly and rejects outliers when clipping', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => i * 40);
    const f = (v: number) => 3 + 0.01 * v - 2e-6 * v * v + 1e-10 * v * v * v;
    const y = Float64Array.from(x, f);
    const p = fitPoly(x, y, x.length, 3)!;
    for (let v = 0; v < 2000; v += 100) expect(evalPoly(p, v)).toBeCloseTo(f(v), 8);
    y[10] += 5;
    y[30] -= 7;
    const c = fitPolyClipped(x, y, x.length, 3)!;
    expect(c.mask[10]).toBe(0);
    expect(c.mask[30]).toBe(0);
    expect(c.used).toBe(48);
    expect(evalPoly(c.poly, 1000)).toBeCloseTo(f(1000), 8);
  });
});

describe('Gaussian helpers', () => {
  it('erf matches tabulated values to 2e-7', () => {
    for (const [x, v] of [[0, 0], [0.5, 0.5204998778], [1, 0.8427007929], [2, 0.995322265], [-1, -0.8427007929]]) expect(Math.abs(erf(x) - v)).toBeLessThan(2e-7);
  });

  it('centres pixel-integrated Gaussians to 0.02 px with the log parabola and 0.005 px with the fit', () => {
    for (const s of [1.1, 1.5, 2.2]) {
      for (let c = 10; c < 11; c += 0.1) {
        const y = Float64Array.from({ length: 21 }, (_, i) => 1000 * pixelFraction(i, c, s));
        const m = Math.round(c);
        const est = { offset: 0, sigma: 0 };
        expect(logParabolaPeak(y[m - 1], y[m], y[m + 1], est)).toBe(true);
        expect(Math.abs(m + est.offset - c)).toBeLessThan(0.02);
        const fit = { centre: 0, sigma: 0, amplitude: 0 };
        expect(fitGaussian(y, m - 3, 7, { centre: m + est.offset, sigma: est.sigma, amplitude: y[m] }, fit)).toBe(true);
        expect(Math.abs(fit.centre - c)).toBeLessThan(0.005);
      }
    }
  });
});

describe('overscan subtraction and trimming', () => {
  it('removes a drifting bias level to 0.05 ADU and trims the strip', () => {
    const width = 70;
    const height = 4098;
    const g = { dataX0: 0, dataWidth: 48, biasX0: 48, biasWidth: 22 };
    const r = rng(3);
    const level = (y: number) => 250.3 + 2e-4 * y;
    const raw = new Float64Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * width + x] = Math.round(level(y) + (x < 48 ? 100 : 0) + 1.92 * r.normal());
    raw[100 * width + 50] = 9000; // a cosmic ray in the overscan
    const out = subtractOverscan(raw, width, height, g, 2, 5 * 1.92);
    expect(out.image.length).toBe(48 * height);
    for (const y of [0, 100, 2000, 4097]) expect(Math.abs(out.level[y] - level(y))).toBeLessThan(0.05);
    let s = 0;
    for (let i = 0; i < out.image.length; i++) s += out.image[i];
    expect(s / out.image.length).toBeCloseTo(100, 1);
  });

  it('models variance as Poisson signal plus read noise', () => {
    const v = ccdVariance(Float32Array.from([-5, 0, 188]), 1.88, 3.76);
    expect(Array.from(v)).toEqual([4, 4, 104].map(Math.fround));
  });
});

describe('image calibration and combination', () => {
  it('median-combines with variance and rejects a cosmic ray', () => {
    const frames = [0, 1, 2, 3, 4].map((k) => Float32Array.from([10 + k * 0.1, 5, NaN]));
    frames[2][1] = 5000;
    const vars = frames.map(() => Float32Array.from([2, 2, 2]));
    const d = new Float32Array(3);
    const v = new Float32Array(3);
    medianCombine(frames, vars, 3, d, v);
    expect(d[0]).toBeCloseTo(10.2, 5);
    expect(d[1]).toBe(5);
    expect(Number.isNaN(d[2])).toBe(true);
    expect(v[0]).toBeCloseTo(2 * medianVarianceFactor(5), 6);
  });

  it('rejects a cosmic ray from two frames, which a median cannot', () => {
    const a = Float32Array.from([10, 12, NaN, 7]);
    const b = Float32Array.from([11, 4000, 9, NaN]);
    const c = Float32Array.from([NaN, NaN, 8, 6]);
    const vars = [a, b, c].map(() => Float32Array.from([4, 4, 4, 4]));
    const d = new Float32Array(4);
    const v = new Float32Array(4);
    medianCombine([a, b, c], vars, 4, d, v);
    expect(Array.from(d)).toEqual([10.5, 12, 8.5, 6.5]);
    expect(v[1]).toBe(4);
    expect(v[0]).toBe(2);
  });

  it('the median variance factor matches the scatter of simulated medians within 15%', () => {
    const r = rng(4);
    for (const k of [3, 5, 9, 25]) {
      let ss = 0;
      const trials = 4000;
      const buf = new Float64Array(k);
      for (let t = 0; t < trials; t++) {
        for (let i = 0; i < k; i++) buf[i] = r.normal();
        const m = medianInPlace(buf, k);
        ss += m * m;
      }
      const ratio = medianVarianceFactor(k) / (ss / trials);
      expect(ratio).toBeGreaterThan(0.95);
      expect(ratio).toBeLessThan(1.2);
    }
  });

  it('subtracts a scaled dark and divides by a flat with variance', () => {
    const img = Float32Array.from([100, 100]);
    const v = Float32Array.from([10, 10]);
    subtractScaled(img, v, Float32Array.from([10, 20]), Float32Array.from([1, 1]), 2);
    expect(Array.from(img)).toEqual([80, 60]);
    expect(Array.from(v)).toEqual([14, 14]);
    divideByFlat(img, v, Float32Array.from([2, 0]));
    expect(img[0]).toBe(40);
    expect(v[0]).toBe(3.5);
    expect(Number.isNaN(img[1])).toBe(true);
  });
});
