import { Expect, traceFibres } from '../../src/reducer/maths/tramlines.js';
import { extractSpectra } from '../../src/reducer/maths/extract.js';
import { maskSharpPixels } from '../../src/reducer/maths/cosmics.js';
import { syntheticFlat, traceY, pixelFraction, rng } from './reducer-synth.js';

const nominal = { nFibres: 400, nominalY0: 4, nominalPitch: 10.2, block: 16, degree: 4 };

describe('tramline tracing', () => {
  const width = 256;
  const broken = [0, 1, 137, 138, 398];
  const flat = syntheticFlat(width, 11, broken);
  const expected = Uint8Array.from(flat.lit, (l) => (l ? Expect.Lit : Expect.Dark));
  const t = traceFibres(flat.image, width, flat.height, { ...nominal, expected });

  it('finds every lit fibre at its slit position and traces it within 0.05 px', () => {
    // Tolerance: 16 blocks of 16 columns at S/N ~ 100 per block give ~0.01 px per block; 0.05 px
    // leaves room for the polynomial's approximation of the curvature.
    let worst = 0;
    for (let f = 0; f < 400; f++) {
      expect(t.traced[f]).toBe(flat.lit[f]);
      if (!flat.lit[f]) continue;
      for (let x = 0; x < width; x += 5) worst = Math.max(worst, Math.abs(t.centres[f * width + x] - 1 - traceY(f, x, width)));
    }
    expect(worst).toBeLessThan(0.05);
    expect(t.pitch).toBeCloseTo(10.2, 1);
    expect(t.mwidth).toBeCloseTo(1.1 * 2.3548, 1);
  });

  it('places guide and broken fibres between their neighbours within a few tenths of a pixel', () => {
    for (const f of [...broken, 49, 99, 399]) {
      for (const x of [0, 128, 255]) expect(Math.abs(t.centres[f * width + x] - 1 - traceY(f, x, width))).toBeLessThan(0.3);
    }
  });

  it('identifies fibres from the pattern of dark fibres even when the first ones are missing', () => {
    // Without the table, fibre 1 and 2 being dark shifts nothing either: the nominal geometry decides.
    const t2 = traceFibres(flat.image, width, flat.height, nominal);
    expect(t2.traced[2]).toBe(1);
    expect(t2.traced[0]).toBe(0);
    expect(Math.abs(t2.centres[2 * width + 100] - 1 - traceY(2, 100, width))).toBeLessThan(0.05);
  });

  it('fails clearly on an image without fibres', () => {
    expect(() => traceFibres(new Float32Array(width * 4098), width, 4098, nominal)).toThrow(/does not look like a fibre flat/);
  });
});

describe('extraction', () => {
  const width = 64;
  const height = 200;
  const nF = 18;
  const sigma = 1.1;
  const gain = 1.88;
  const rn = 3.61 / gain;
  const centres = new Float32Array(nF * width);
  const sig = new Float32Array(nF).fill(sigma);
  for (let f = 0; f < nF; f++) for (let x = 0; x < width; x++) centres[f * width + x] = 5 + 10.2 * f + 0.01 * x + 1;
  const truth = (f: number, x: number) => 500 + 30 * f + 2 * x;

  function frame(seed: number) {
    const r = rng(seed);
    const image = new Float32Array(width * height);
    const variance = new Float32Array(width * height);
    for (let f = 0; f < nF; f++) {
      for (let x = 0; x < width; x++) {
        const c = centres[f * width + x] - 1;
        for (let y = Math.floor(c - 7); y <= Math.ceil(c + 7); y++) image[y * width + x] += truth(f, x) * pixelFraction(y, c, sigma);
      }
    }
    for (let i = 0; i < image.length; i++) {
      variance[i] = Math.max(image[i], 0) / gain + rn * rn;
      image[i] += Math.sqrt(variance[i]) * r.normal();
    }
    return { image, variance };
  }

  it('GAUSS recovers the flux without bias and its variance matches the real scatter', () => {
    const opts = { method: 'GAUSS' as const, boxHalfWidth: 3, crSigma: 0, gain, readNoiseAdu: rn };
    const runs = [21, 22, 23, 24, 25, 26, 27, 28].map((s) => {
      const fr = frame(s);
      return extractSpectra(fr.image, fr.variance, width, height, centres, sig, nF, opts);
    });
    let bias = 0;
    let chi2 = 0;
    let n = 0;
    for (const e of runs) {
      for (let f = 0; f < nF; f++) for (let x = 0; x < width; x++) {
        const i = f * width + x;
        const d = e.flux[i] - truth(f, x);
        bias += d / truth(f, x);
        chi2 += (d * d) / e.variance[i];
        n++;
      }
    }
    // Mean fractional bias: the noise per spectrum pixel is ~5%, averaged over 9000 pixels ~0.05%.
    expect(Math.abs(bias / n)).toBeLessThan(0.002);
    expect(chi2 / n).toBeGreaterThan(0.9);
    expect(chi2 / n).toBeLessThan(1.15);
  });

  it('rejects a cosmic ray hit inside a fibre profile', () => {
    const fr = frame(31);
    const f = 7;
    const x = 30;
    const y = Math.round(centres[f * width + x] - 1) + 1;
    fr.image[y * width + x] += 3000;
    fr.variance[y * width + x] += 3000 / gain;
    const clean = extractSpectra(fr.image, fr.variance, width, height, centres, sig, nF, { method: 'GAUSS', boxHalfWidth: 3, crSigma: 5, gain, readNoiseAdu: rn });
    const dirty = extractSpectra(fr.image, fr.variance, width, height, centres, sig, nF, { method: 'GAUSS', boxHalfWidth: 3, crSigma: 0, gain, readNoiseAdu: rn });
    expect(dirty.flux[f * width + x] - truth(f, x)).toBeGreaterThan(500);
    expect(Math.abs(clean.flux[f * width + x] - truth(f, x))).toBeLessThan(5 * Math.sqrt(clean.variance[f * width + x]));
    expect(clean.rejected).toBeGreaterThanOrEqual(1);
    expect(clean.rejected).toBeLessThan(20);
  });

  it('marks a pixel bad when a cosmic-ray track covers the whole fibre profile', () => {
    const fr = frame(32);
    const f = 4;
    const x = 20;
    const c = Math.round(centres[f * width + x] - 1);
    for (let y = c - 2; y <= c + 2; y++) {
      fr.image[y * width + x] += 400;
      fr.variance[y * width + x] += 400 / gain;
    }
    // The profile fit alone accepts it (a centre pixel fits itself within the profile slack)...
    const fitOnly = extractSpectra(Float32Array.from(fr.image), Float32Array.from(fr.variance), width, height, centres, sig, nF, { method: 'GAUSS', boxHalfWidth: 3, crSigma: 5, gain, readNoiseAdu: rn });
    expect(fitOnly.flux[f * width + x]).toBeGreaterThan(1.5 * truth(f, x));
    // ...the sharpness along x finds every pixel of the track, and the column becomes bad.
    expect(maskSharpPixels(fr.image, fr.variance, width, height, 6)).toBe(5);
    const e = extractSpectra(fr.image, fr.variance, width, height, centres, sig, nF, { method: 'GAUSS', boxHalfWidth: 3, crSigma: 5, gain, readNoiseAdu: rn });
    expect(Number.isNaN(e.flux[f * width + x])).toBe(true);
    expect(Number.isFinite(e.flux[f * width + x + 1])).toBe(true);
  });

  it('never masks a resolved spectral line, however bright', () => {
    const image = new Float32Array(width * height);
    const variance = new Float32Array(width * height).fill(4);
    // A 2.2 px FWHM line (the narrowest the simulator makes) of 50000 counts in one row.
    for (let x = 0; x < width; x++) image[100 * width + x] = 50000 * pixelFraction(x, 30.3, 2.2 / 2.3548) + 10;
    for (let x = 0; x < width; x++) variance[100 * width + x] += image[100 * width + x] / gain;
    expect(maskSharpPixels(image, variance, width, height, 6)).toBe(0);
  });

  it('SUM adds the aperture with fractional edges', () => {
    const image = new Float32Array(width * height).fill(1);
    const variance = new Float32Array(width * height).fill(1);
    const e = extractSpectra(image, variance, width, height, centres, sig, nF, { method: 'SUM', boxHalfWidth: 2.5, crSigma: 0, gain, readNoiseAdu: rn });
    expect(e.flux[3 * width + 10]).toBeCloseTo(5, 4);
  });
});
