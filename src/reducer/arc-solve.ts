// The wavelength solution of an extracted arc frame: lines found in every fibre, identified on a
// central reference fibre against the lamp's list, then fitted fibre by fibre (reduce_arc's core).
import { ReducerError } from './errors.js';
import { findArcLines, type FoundLines } from './maths/arc-line-finder.js';
import { bestShift, isMonotonic, isolatedLines, searchOffset, solveDispersion, type ArcLine, type DispersionSolution, type LinearGuess } from './maths/dispersion.js';
import { FWHM_PER_SIGMA } from './maths/gaussian.js';
import { evalPoly, type Poly } from './maths/polyfit.js';
import { refineArcModel } from './maths/arc-model.js';
import { medianInPlace } from './maths/stats.js';

export interface ArcOptions {
  degree: number;
  maxShiftPx: number;
  /** List lines closer than this many line FWHMs to a comparable neighbour are not used. */
  blendFwhm: number;
  /** Detection threshold in noise sigmas. */
  threshold: number;
  /** Refine each fibre's solution with a whole-spectrum model of all list lines (blends included). */
  modelFit: boolean;
}

export interface ArcFrameSolution {
  /** nFibres x width, nm. */
  wavela: Float32Array;
  polys: (Poly | null)[];
  solved: Uint8Array;
  rmsPx: Float32Array;
  lines: Int32Array;
  reference: number;
  fwhmPx: number;
  listLines: number;
}

const median = (a: number[]) => (a.length ? medianInPlace(Float64Array.from(a), a.length) : NaN);

function strongest(l: FoundLines, n: number): Float64Array {
  const idx = Array.from({ length: l.count }, (_, i) => i).sort((a, b) => l.amplitude[b] - l.amplitude[a]).slice(0, n);
  return Float64Array.from(idx.map((i) => l.x[i]));
}

export function solveArcFrame(flux: Float32Array, variance: Float32Array, nFibres: number, width: number, usable: Uint8Array, guess: LinearGuess, list: readonly ArcLine[], o: ArcOptions): ArcFrameSolution {
  const found: (FoundLines | null)[] = [];
  for (let f = 0; f < nFibres; f++) found.push(usable[f] ? findArcLines(flux, variance, f * width, width, o.threshold) : null);
  const candidates = Array.from({ length: nFibres }, (_, f) => f)
    .filter((f) => found[f] && found[f]!.count >= 5)
    .sort((a, b) => Math.abs(a - nFibres / 2) - Math.abs(b - nFibres / 2))
    .slice(0, 21);
  if (!candidates.length) throw new ReducerError('no fibre shows at least 5 arc lines: is this an arc frame?');
  const reference = candidates.reduce((best, f) => (found[f]!.count > found[best]!.count ? f : best), candidates[0]);
  const ref = found[reference]!;
  const fwhmPx = median(candidates.flatMap((f) => Array.from(found[f]!.sigma))) * FWHM_PER_SIGMA;
  const disp = Math.abs(guess.dispersion);
  const lo = Math.min(guess.centreAngstrom - guess.dispersion * (guess.xc + o.maxShiftPx), guess.centreAngstrom + guess.dispersion * (width - 1 - guess.xc + o.maxShiftPx));
  const hi = Math.max(guess.centreAngstrom - guess.dispersion * (guess.xc + o.maxShiftPx), guess.centreAngstrom + guess.dispersion * (width - 1 - guess.xc + o.maxShiftPx));
  const usableList = isolatedLines(list, lo, hi, o.blendFwhm * fwhmPx * disp);
  if (usableList.length < o.degree + 3) {
    throw new ReducerError(
      `cannot identify the arc lines: they are ${fwhmPx.toFixed(1)} px wide, which leaves ${usableList.length} unblended lamp lines in ${lo.toFixed(0)}-${hi.toFixed(0)} A, too few for a degree ${o.degree} fit (is this an arc frame?)`,
    );
  }

  const off = searchOffset(strongest(ref, 60), usableList, guess, o.maxShiftPx, 0.02, 1);
  const init = (x: number) => guess.centreAngstrom + guess.dispersion * off.scale * (x - guess.xc - off.shiftPx);
  const refSol = solveDispersion(ref.x, usableList, init, disp, o.degree);
  if (!refSol || refSol.lines < o.degree + 3 || !isMonotonic(refSol.poly, width)) {
    throw new ReducerError(`cannot identify the arc lines of reference fibre ${reference + 1}: ${refSol ? refSol.lines : 0} of ${ref.count} lines matched the lamp list`);
  }
  const refModel = (x: number) => evalPoly(refSol.poly, x);
  const allLines = Float64Array.from(list.map((l) => l.wavelengthAngstrom)).sort();
  const sigma0 = fwhmPx / FWHM_PER_SIGMA;

  const polys: (Poly | null)[] = new Array(nFibres).fill(null);
  const solved = new Uint8Array(nFibres);
  const rmsPx = new Float32Array(nFibres).fill(NaN);
  const lines = new Int32Array(nFibres);
  for (let f = 0; f < nFibres; f++) {
    const l = found[f];
    if (!l || l.count < o.degree + 3) continue;
    const s = f === reference ? 0 : bestShift(l.x, usableList, refModel, disp, 5, 1);
    const sol: DispersionSolution | null = f === reference ? refSol : solveDispersion(l.x, usableList, (x) => refModel(x - s), disp, o.degree);
    if (!sol || sol.lines < o.degree + 3 || !(sol.rmsPx < 0.5) || !isMonotonic(sol.poly, width)) continue;
    let poly = sol.poly;
    let rms = sol.rmsPx;
    const refined = o.modelFit ? refineArcModel(flux, variance, f * width, width, allLines, sol.poly, o.degree, sigma0) : null;
    if (refined && isMonotonic(refined.poly, width)) {
      // The residuals reported stay those of the individually centred lines, now against the refined solution.
      let ss = 0;
      for (let i = 0; i < sol.x.length; i++) ss += (evalPoly(refined.poly, sol.x[i]) - sol.wavelength[i]) ** 2;
      poly = refined.poly;
      rms = Math.sqrt(ss / sol.x.length) / disp;
    }
    polys[f] = poly;
    solved[f] = 1;
    rmsPx[f] = rms;
    lines[f] = sol.lines;
  }
  const wavela = new Float32Array(nFibres * width);
  for (let f = 0; f < nFibres; f++) if (polys[f]) for (let x = 0; x < width; x++) wavela[f * width + x] = evalPoly(polys[f]!, x) / 10;
  fillUnsolved(wavela, solved, nFibres, width);
  return { wavela, polys, solved, rmsPx, lines, reference, fwhmPx, listLines: usableList.length };
}

/** Fibres without a solution (guide, broken, too faint) take their neighbours' wavelengths, interpolated by slit position. */
function fillUnsolved(w: Float32Array, solved: Uint8Array, nF: number, width: number): void {
  const s: number[] = [];
  for (let f = 0; f < nF; f++) if (solved[f]) s.push(f);
  for (let f = 0; f < nF; f++) {
    if (solved[f]) continue;
    const a = [...s].reverse().find((k) => k < f);
    const b = s.find((k) => k > f);
    for (let x = 0; x < width; x++) {
      if (a !== undefined && b !== undefined) w[f * width + x] = w[a * width + x] + ((f - a) / (b - a)) * (w[b * width + x] - w[a * width + x]);
      else w[f * width + x] = w[(a ?? b)! * width + x];
    }
  }
}
