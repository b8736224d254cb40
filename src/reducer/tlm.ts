// Tramline maps: tracing a fibre flat's im into <root>tlm.fits (centres, SIGMAPRF, predicted WAVELA,
// MWIDTH) and reading one back for extraction.
import path from 'node:path';
import { Header } from '../fits/index.js';
import type { OpContext } from './context.js';
import { ReducerError } from './errors.js';
import { hasHdu, openFits, readPlane, type FibreTable } from './fits-io.js';
import type { ImFrame } from './im.js';
import { AAOMEGA } from './instrument.js';
import { Expect, TraceError, traceFibres, type TraceResult } from './maths/tramlines.js';
import { fibresHdu, imageHdu, productHeader } from './products.js';

export interface Tlm {
  name: string;
  /** nFibres x width, 1-based rows. */
  centres: Float32Array;
  sigma: Float32Array;
  nFibres: number;
  width: number;
  mwidth: number;
}

/** Per fibre: 1 for fibres that can carry light (not guide F, not broken N). All usable without a table. */
export function usableFibres(fibres: FibreTable | null, n: number): Uint8Array {
  const u = new Uint8Array(n).fill(1);
  if (fibres) for (let f = 0; f < n; f++) if (fibres.types[f] === 'F' || fibres.types[f] === 'N') u[f] = 0;
  return u;
}

/** Traces the fibres of a flat's im; throws ReducerError when it does not look like a fibre flat. */
export function traceIm(ctx: OpContext, im: ImFrame): TraceResult {
  const nFibres = im.fibres?.nrows ?? AAOMEGA.nFibres;
  const expected = im.fibres ? Uint8Array.from(im.fibres.types, (t) => (t === 'F' || t === 'N' ? Expect.Dark : t === 'U' ? Expect.Either : Expect.Lit)) : undefined;
  try {
    return traceFibres(im.image, im.width, im.height, {
      nFibres,
      expected,
      nominalY0: AAOMEGA.nominalY0,
      nominalPitch: AAOMEGA.nominalPitch,
      block: 16,
      degree: Math.max(1, Math.round(ctx.params.number('TLMFITORDER', 4))),
    });
  } catch (err) {
    if (err instanceof TraceError) throw new ReducerError(`cannot make a tramline map from ${im.name}: ${err.message}`);
    throw err;
  }
}

/** Wavelength (nm) the header predicts at each column: LAMBDAC + DISPERS * (x - centre). */
export function predictedWavela(h: Header, nFibres: number, width: number): Float32Array {
  const lc = h.number('LAMBDAC') ?? 0;
  const d = h.number('DISPERS') ?? 1;
  const w = new Float32Array(nFibres * width);
  for (let x = 0; x < width; x++) w[x] = (lc + d * (x - (width - 1) / 2)) / 10;
  for (let f = 1; f < nFibres; f++) w.copyWithin(f * width, 0, width);
  return w;
}

export async function writeTlm(ctx: OpContext, out: string, im: ImFrame, t: TraceResult): Promise<void> {
  const nF = t.sigma.length;
  const traced = t.traced.reduce((a, b) => a + b, 0);
  const hdr = productHeader(im.header, [...im.history, `Tramline map: ${traced} fibres traced, ${nF - traced} placed between neighbours`], ctx.now);
  hdr.set('MWIDTH', t.mwidth, 'Median FWHM of the fibre profiles (pixels)');
  hdr.set('TLMPITCH', t.pitch, 'Median separation of adjacent fibres (pixels)');
  hdr.set('NTRACED', traced, 'Fibres traced from their own light');
  const sig = new Float32Array(nF * im.width);
  for (let f = 0; f < nF; f++) sig.fill(t.sigma[f], f * im.width, (f + 1) * im.width);
  await ctx.ws.writeFits(out, [
    imageHdu(undefined, t.centres, [im.width, nF], hdr),
    imageHdu('SIGMAPRF', sig, [im.width, nF], new Header().comment('Gaussian sigma of each fibre profile (pixels)')),
    imageHdu('WAVELA', predictedWavela(im.header, nF, im.width), [im.width, nF], new Header().set('BUNIT', 'nm', 'wavelength predicted from LAMBDAC, DISPERS')),
    ...(im.fibres ? [fibresHdu(im.fibres)] : []),
  ]);
  ctx.report.info(` CENWAVE=   ${im.header.number('LAMBDAC') ?? 0}     , DISP=   ${im.header.number('DISPERS') ?? 0}`);
  ctx.report.info(` Generated tramline map ${path.basename(out)}`);
  const lines = ['# fibre traced y_centre(1-based) sigma'];
  for (let f = 0; f < nF; f++) lines.push(`${f + 1} ${t.traced[f]} ${t.centres[f * im.width + (im.width >> 1)].toFixed(3)} ${t.sigma[f].toFixed(3)}`);
  if (!ctx.ws.writeDiagnostic('FIBPOS.DAT', lines.join('\n') + '\n')) ctx.report.warn(`cannot write FIBPOS.DAT into ${ctx.ws.outDir}`);
}

/** Reads the tramline map named by TLMAP_FILENAME and checks it fits the frame. */
export async function readTlm(ctx: OpContext, im: ImFrame, fallback?: string): Promise<Tlm> {
  const name = ctx.params.file('TLMAP_FILENAME') ?? fallback;
  if (!name) throw new ReducerError('no tramline map given (-TLMAP_FILENAME)');
  const f = await openFits(ctx.ws.input(name, 'TLMAP_FILENAME'), name, 'TLMAP_FILENAME');
  const c = await readPlane(f, 'PRIMARY');
  if (c.width !== im.width) throw new ReducerError(`TLMAP_FILENAME ${name} is ${c.width} columns wide but ${im.name} has ${im.width}`);
  if (im.fibres && c.height !== im.fibres.nrows) throw new ReducerError(`TLMAP_FILENAME ${name} has ${c.height} fibres but ${im.name} has ${im.fibres.nrows}`);
  const mw = c.header.number('MWIDTH') ?? 2.6;
  const sigma = new Float32Array(c.height).fill(mw / 2.3548);
  if (hasHdu(f, 'SIGMAPRF')) {
    const s = await readPlane(f, 'SIGMAPRF');
    for (let k = 0; k < c.height; k++) sigma[k] = s.data[k * s.width + (s.width >> 1)];
  }
  ctx.report.info(`Using tramline map ${name}`);
  return { name, centres: c.data, sigma, nFibres: c.height, width: c.width, mwidth: mw };
}
