// The common path of reduce_sky and reduce_object (KSPECDR's REDUCE_OBJECT order): make_im, extract
// along TLMAP_FILENAME with cosmic-ray rejection, divide by FFLAT_FILENAME, scrunch with WAVEL_FILENAME.
import type { OpContext } from './context.js';
import { ReducerError } from './errors.js';
import { extractIm, writeEx } from './extraction.js';
import { hasHdu, openFits, readPlane } from './fits-io.js';
import { makeIm, type ImFrame } from './im.js';
import { divideByFibreFlat } from './maths/fibre-flat.js';
import { scrunch, type LinearGrid } from './maths/scrunch.js';
import { readTlm, usableFibres } from './tlm.js';
import { readWavel } from './wavelength.js';

export interface FibreFrame {
  im: ImFrame;
  nFibres: number;
  /** nFibres x grid.n on the arc's linear grid. */
  flux: Float32Array;
  variance: Float32Array;
  grid: LinearGrid;
  usable: Uint8Array;
  /** Relative throughputs of the fibre flat (1 without one). */
  flatThroughput: Float32Array;
  history: string[];
}

/** The argument checks 2dFdr's REDUCE_OBJECT makes before reading anything (KSPECDR utils/args.py). */
export function checkFibreCalibrations(ctx: OpContext, action: string): void {
  const need = (p: string, what: string) => {
    if (!ctx.params.file(p)) throw new ReducerError(`${action} needs ${what}: -${p} is not given`);
    ctx.ws.input(ctx.params.file(p)!, p);
  };
  need('TLMAP_FILENAME', 'a tramline map');
  need('WAVEL_FILENAME', 'a wavelength calibration (reduced arc)');
  if (ctx.params.bool('USEFFLAT', true)) need('FFLAT_FILENAME', 'a reduced fibre flat');
  for (const [use, p] of [['USEBIASIM', 'BIAS_FILENAME'], ['USEDARKIM', 'DARK_FILENAME'], ['USEFLATIM', 'LFLAT_FILENAME']]) if (ctx.params.bool(use)) need(p, `a ${p.split('_')[0].toLowerCase()} frame (${use} is set)`);
  const thput = ctx.params.file('THPUT_FILENAME');
  if (thput) ctx.ws.input(thput, 'THPUT_FILENAME');
}

/** A 1-D HDU of one value per fibre (THPUT) from the file named by `param`. */
export async function readPerFibre(ctx: OpContext, param: string, ext: string, nFibres: number): Promise<Float32Array> {
  const name = ctx.params.file(param)!;
  const f = await openFits(ctx.ws.input(name, param), name, param);
  if (!hasHdu(f, ext)) throw new ReducerError(`${param} ${name} has no ${ext} HDU`);
  const p = await readPlane(f, ext);
  if (p.data.length !== nFibres) throw new ReducerError(`${param} ${name}: ${ext} has ${p.data.length} values, the frame has ${nFibres} fibres`);
  return p.data;
}

export async function reduceFibreFrame(ctx: OpContext, file: string): Promise<FibreFrame> {
  const { params, report } = ctx;
  const im = await makeIm(ctx, file, { bias: true, dark: true, lflat: true });
  const tlm = await readTlm(ctx, im);
  const ex = extractIm(ctx, im, tlm, 'object');
  const nF = tlm.nFibres;
  const W = im.width;
  const wavel = await readWavel(ctx, nF, W);
  await writeEx(ctx, im, ex, wavel.wavela);
  const history = [...ex.history];
  let flatThroughput: Float32Array = new Float32Array(nF).fill(1);
  if (params.bool('USEFFLAT', true)) {
    const name = params.file('FFLAT_FILENAME')!;
    const f = await openFits(ctx.ws.input(name, 'FFLAT_FILENAME'), name, 'FFLAT_FILENAME');
    const flat = await readPlane(f, 'PRIMARY');
    if (flat.width !== W || flat.height !== nF) throw new ReducerError(`FFLAT_FILENAME ${name} is ${nF === flat.height ? '' : `${flat.height} fibres x `}${flat.width} pixels, the frame has ${nF} x ${W}`);
    const fv = hasHdu(f, 'VARIANCE') ? (await readPlane(f, 'VARIANCE')).data : new Float32Array(flat.data.length);
    divideByFibreFlat(ex.flux, ex.variance, flat.data, fv);
    if (hasHdu(f, 'THPUT')) flatThroughput = (await readPlane(f, 'THPUT')).data;
    report.info(`Divided by fibre flat field ${name}`);
    history.push(`Divided by fibre flat field ${name}`);
  }
  const grid = wavel.grid;
  const flux = new Float32Array(nF * grid.n);
  const variance = new Float32Array(nF * grid.n);
  const lamA = new Float64Array(W);
  for (let f = 0; f < nF; f++) {
    for (let x = 0; x < W; x++) lamA[x] = wavel.wavela[f * W + x] * 10;
    scrunch(ex.flux, ex.variance, f * W, W, lamA, 0, grid, flux, variance, f * grid.n);
  }
  report.info(`Scrunched to ${grid.n} pixels from ${grid.start.toFixed(2)} A in steps of ${grid.step.toFixed(4)} A using ${wavel.name}`);
  history.push(`Scrunched using wavelength calibration ${wavel.name}`);
  const usable = usableFibres(im.fibres, nF);
  for (let f = 0; f < nF; f++) if (!(flatThroughput[f] > 0)) usable[f] = 0;
  return { im, nFibres: nF, flux, variance, grid, usable, flatThroughput, history };
}
