// Wavelength solutions: the arc's per-fibre pixel -> wavelength (WAVELA, nm) and the linear grid all
// products of that arc are scrunched onto; written by reduce_arc, read by everything after it.
import { Header } from '../fits/index.js';
import type { OpContext } from './context.js';
import { ReducerError } from './errors.js';
import { openFits, readPlane } from './fits-io.js';
import { fitPoly, evalPoly, type Poly } from './maths/polyfit.js';
import type { LinearGrid } from './maths/scrunch.js';
import { gridOf } from './products.js';

export interface WavelengthSolution {
  name: string;
  /** nFibres x width: wavelength (nm) of every extracted pixel. */
  wavela: Float32Array;
  grid: LinearGrid;
}

/** The common linear grid: median first and last pixel wavelengths (Angstrom) over the solved fibres. */
export function commonGrid(wavelaNm: Float32Array, nFibres: number, width: number, solved: Uint8Array): LinearGrid {
  const firsts: number[] = [];
  const lasts: number[] = [];
  for (let f = 0; f < nFibres; f++) if (solved[f]) {
    firsts.push(wavelaNm[f * width] * 10);
    lasts.push(wavelaNm[f * width + width - 1] * 10);
  }
  const med = (a: number[]) => a.sort((p, q) => p - q)[(a.length - 1) >> 1];
  const start = med(firsts);
  return { start, step: (med(lasts) - start) / (width - 1), n: width };
}

/**
 * SHIFTS: per fibre the coefficients of lambda (Angstrom) as a polynomial in u = (x - xc) / half,
 * x 0-based, xc = (width - 1) / 2, half = width / 2 - shared scaling, unlike the fit's own.
 */
export function shiftsTable(polys: (Poly | null)[], width: number, degree: number): { data: Float32Array; header: Header } {
  const n = degree + 1;
  const data = new Float32Array(n * polys.length).fill(NaN);
  const xc = (width - 1) / 2;
  const half = width / 2;
  const xs = Float64Array.from({ length: 33 }, (_, i) => (i * (width - 1)) / 32);
  polys.forEach((p, f) => {
    if (!p) return;
    const us = Float64Array.from(xs, (x) => (x - xc) / half);
    const c = fitPoly(us, Float64Array.from(xs, (x) => evalPoly(p, x)), xs.length, degree);
    // fitPoly scales u again by its own range, which for symmetric samples is [-1, 1] scaled by (W-1)/W.
    if (c) for (let k = 0; k < n; k++) data[f * n + k] = c.coeffs[k] / Math.pow(c.scale, k);
  });
  const header = new Header().set('SHFTXC', xc, 'u = (x - SHFTXC) / SHFTHALF, x 0-based').set('SHFTHALF', half).set('BUNIT', 'Angstrom');
  return { data, header };
}

/** Reads WAVEL_FILENAME (a reduced arc) for a frame of nFibres x width. */
export async function readWavel(ctx: OpContext, nFibres: number, width: number): Promise<WavelengthSolution> {
  const name = ctx.params.file('WAVEL_FILENAME');
  if (!name) throw new ReducerError('no wavelength calibration given (-WAVEL_FILENAME)');
  const f = await openFits(ctx.ws.input(name, 'WAVEL_FILENAME'), name, 'WAVEL_FILENAME');
  const w = await readPlane(f, 'WAVELA');
  if (w.width !== width || w.height !== nFibres) throw new ReducerError(`WAVEL_FILENAME ${name} is for ${w.height} fibres x ${w.width} pixels, the frame has ${nFibres} x ${width}`);
  const primary = f.hdus[0].header;
  const grid = gridOf(primary, primary.number('NAXIS1') ?? width);
  if (!grid) throw new ReducerError(`WAVEL_FILENAME ${name} has no linear wavelength axis (CRVAL1, CDELT1, CRPIX1): is it a reduced arc?`);
  ctx.report.info(`Using wavelength calibration ${name}`);
  return { name, wavela: w.data, grid };
}
