// make_ex: spectra extracted along the tramlines (EXTR_OPERATION), written as <root>ex.fits.
import path from 'node:path';
import { Header, type HduSpec } from '../fits/index.js';
import type { OpContext } from './context.js';
import { ReducerUsageError } from './errors.js';
import type { ImFrame } from './im.js';
import { maskSharpPixels } from './maths/cosmics.js';
import { extractSpectra, type ExtractMethod, type Extracted } from './maths/extract.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader } from './products.js';
import type { Tlm } from './tlm.js';

/** 2dFdr's extraction names: the optimal-extraction variants run as GAUSS here, TRAM (tramline sum) as SUM. */
export function extractMethod(ctx: OpContext): ExtractMethod {
  const m = ctx.params.string('EXTR_OPERATION', 'GAUSS').trim().toUpperCase();
  if (m === 'GAUSS') return 'GAUSS';
  if (m === 'OPTEX' || m === 'SMCOPTEX') {
    ctx.report.warn(`EXTR_OPERATION ${m} is done as GAUSS by this reducer`);
    return 'GAUSS';
  }
  if (m === 'TRAM' || m === 'SUM') return 'SUM';
  throw new ReducerUsageError(`EXTR_OPERATION must be GAUSS, OPTEX, SMCOPTEX, TRAM or SUM, got ${JSON.stringify(m)}`);
}

export interface ExFrame extends Extracted {
  nFibres: number;
  width: number;
  history: string[];
}

/**
 * When extraction rejects cosmic rays: 'object' frames unless LACOSMIC is NO; 'always' for fibre flats,
 * whose hits would otherwise be divided into every frame reduced with them; 'never' for arcs (their
 * wavelength fit clips outliers itself).
 */
export type CosmicRays = 'object' | 'always' | 'never';

/** Extracts im along tlm. */
export function extractIm(ctx: OpContext, im: ImFrame, tlm: Tlm, cosmics: CosmicRays, method = extractMethod(ctx)): ExFrame {
  const cr = cosmics === 'always' || (cosmics === 'object' && ctx.params.string('LACOSMIC', 'OBJECT ONLY').trim().toUpperCase() !== 'NO');
  // im.fits is already written: masking the in-memory image only affects what is extracted.
  const sharp = cr ? maskSharpPixels(im.image, im.variance, im.width, im.height, ctx.params.number('COSRAY_SIGMA', 6)) : 0;
  const ex = extractSpectra(im.image, im.variance, im.width, im.height, tlm.centres, tlm.sigma, tlm.nFibres, {
    method,
    boxHalfWidth: ctx.params.number('EXTR_HALFWIDTH', 2.5),
    crSigma: cr ? ctx.params.number('COSRAY_SIGMA', 6) : 0,
    gain: im.gain,
    readNoiseAdu: im.readNoiseE / im.gain,
  });
  const history = [...im.history, `${method} extracting using tram map ${tlm.name}`];
  if (cr) {
    history.push(`Cosmic rays: ${sharp} sharp pixels masked, ${ex.rejected} rejected in profile fits`);
    ctx.report.info(`Cosmic rays: masked ${sharp} pixels sharper than any spectral feature, rejected ${ex.rejected} more in the profile fits`);
  }
  return { ...ex, nFibres: tlm.nFibres, width: im.width, history };
}

/** Writes <root>ex.fits; `wavela` (nm) comes from the arc when one is known. */
export async function writeEx(ctx: OpContext, im: ImFrame, ex: ExFrame, wavela: Float32Array | null): Promise<void> {
  const out = ctx.ws.nextTo(im.rawPath, 'ex');
  const hdus: HduSpec[] = [
    imageHdu(undefined, ex.flux, [ex.width, ex.nFibres], productHeader(im.header, ex.history, ctx.now)),
    imageHdu('VARIANCE', ex.variance, [ex.width, ex.nFibres]),
    ...(im.fibres ? [fibresHdu(im.fibres)] : []),
    ...(wavela ? [imageHdu('WAVELA', wavela, [ex.width, ex.nFibres], new Header().set('BUNIT', 'nm', 'wavelength of each pixel'))] : []),
    ndfClassHdu(im.ndfClass),
  ];
  await ctx.ws.writeFits(out, hdus);
  ctx.report.info(`Extracted spectra ${path.basename(out)} created.`);
}
