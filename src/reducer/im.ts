// make_im, the first step of every reduce_* operation: raw frame -> overscan-subtracted, trimmed float
// image with variance, minus bias and scaled dark, divided by the long-slit flat; written as <root>im.fits.
import path from 'node:path';
import type { Header } from '../fits/index.js';
import type { OpContext } from './context.js';
import { ReducerError } from './errors.js';
import { hasHdu, openFits, readFibres, readPlane, type FibreTable, type Plane } from './fits-io.js';
import { gainOf, geometryOf, section } from './instrument.js';
import { divideByFlat, subtractScaled } from './maths/frame-ops.js';
import { ccdVariance, subtractOverscan } from './maths/overscan.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader } from './products.js';

export interface ImFrame {
  /** Absolute path of the raw input and the name it was given by. */
  rawPath: string;
  name: string;
  header: Header;
  image: Float32Array;
  variance: Float32Array;
  width: number;
  height: number;
  fibres: FibreTable | null;
  ndfClass: string;
  gain: number;
  readNoiseE: number;
  /** HISTORY lines so far, carried into every later product of this frame. */
  history: string[];
}

export interface ImSteps {
  bias: boolean;
  dark: boolean;
  lflat: boolean;
}

/** A calibration image named by `param` (BIAS_FILENAME...), with its variance, checked against the frame's size. */
async function calibration(ctx: OpContext, param: string, useParam: string, width: number, height: number): Promise<{ plane: Plane; variance: Float32Array | null; name: string }> {
  const name = ctx.params.file(param);
  if (!name) throw new ReducerError(`${useParam} is set but no ${param} was given`);
  const file = await openFits(ctx.ws.input(name, param), name, param);
  const plane = await readPlane(file, 'PRIMARY');
  if (plane.width !== width || plane.height !== height) {
    throw new ReducerError(`${param} ${name} is ${plane.width}x${plane.height} pixels but the frame is ${width}x${height}`);
  }
  const variance = hasHdu(file, 'VARIANCE') ? (await readPlane(file, 'VARIANCE')).data : null;
  return { plane, variance, name };
}

export async function makeIm(ctx: OpContext, name: string, steps: ImSteps): Promise<ImFrame> {
  const { params, report } = ctx;
  const rawPath = ctx.ws.input(name, 'RAW file');
  report.info(`RAW file = ${name}`);
  const file = await openFits(rawPath, name, 'RAW file');
  if (hasHdu(file, 'VARIANCE')) throw new ReducerError(`RAW file ${name} is already reduced (it has a VARIANCE HDU)`);
  const raw = await readPlane(file, 'PRIMARY');
  if (raw.height < 2) throw new ReducerError(`cannot read RAW file ${name}: the primary HDU is not a 2-D image`);
  const header = raw.header;
  const fibres = await readFibres(file);
  const ndfClass = header.string('NDFCLASS') ?? '';
  const geom = geometryOf(header, raw.width, name);
  const { gain, readNoiseE } = gainOf(header);
  report.info('Debiasing from overscan region.');
  report.info(`Data region = ${section(geom.dataX0, geom.dataWidth, raw.height)}`);
  report.info(`Bias region = ${section(geom.biasX0, geom.biasWidth, raw.height)}`);
  const order = params.number('OVERSCANORDER', 2);
  const { image, level } = subtractOverscan(raw.data, raw.width, raw.height, geom, Math.max(0, Math.round(order)), Math.max(3, (5 * readNoiseE) / gain));
  const variance = ccdVariance(image, gain, readNoiseE);
  const width = geom.dataWidth;
  const height = raw.height;
  const history = [`Overscan ${section(geom.biasX0, geom.biasWidth, height)} subtracted: order ${order}, mean ${(level.reduce((a, b) => a + b, 0) / height).toFixed(2)} ADU`];

  if (steps.bias && params.bool('USEBIASIM')) {
    const b = await calibration(ctx, 'BIAS_FILENAME', 'USEBIASIM', width, height);
    subtractScaled(image, variance, b.plane.data, b.variance, 1);
    report.info(`Subtracting bias frame ${b.name}`);
    history.push(`Subtracted bias frame ${b.name}`);
  }
  if (steps.dark && params.bool('USEDARKIM')) {
    const d = await calibration(ctx, 'DARK_FILENAME', 'USEDARKIM', width, height);
    const tDark = d.plane.header.number('EXPOSED');
    const tFrame = header.number('EXPOSED') ?? 0;
    if (!(tDark && tDark > 0)) throw new ReducerError(`DARK_FILENAME ${d.name} has no positive EXPOSED: cannot scale it to this frame`);
    const scale = tFrame / tDark;
    subtractScaled(image, variance, d.plane.data, d.variance, scale);
    report.info(`Subtracting dark frame ${d.name} scaled by ${scale.toFixed(4)} (${tFrame} s / ${tDark} s)`);
    history.push(`Subtracted dark frame ${d.name} x ${scale}`);
  }
  if (steps.lflat && params.bool('USEFLATIM')) {
    const f = await calibration(ctx, 'LFLAT_FILENAME', 'USEFLATIM', width, height);
    divideByFlat(image, variance, f.plane.data);
    report.info(`Dividing by long-slit flat ${f.name}`);
    history.push(`Divided by long-slit flat field ${f.name}`);
  }

  const out = ctx.ws.nextTo(rawPath, 'im');
  const hdr = productHeader(header, history, ctx.now);
  await ctx.ws.writeFits(out, [
    imageHdu(undefined, image, [width, height], hdr),
    imageHdu('VARIANCE', variance, [width, height]),
    ...(fibres ? [fibresHdu(fibres)] : []),
    ndfClassHdu(ndfClass),
  ]);
  report.info(`Image data frame ${path.basename(out)} created.`);
  return { rawPath, name, header, image, variance, width, height, fibres, ndfClass, gain, readNoiseE, history };
}

/** Warns when a frame's class is not what the operation expects (2dFdr reduces it anyway). */
export function expectClass(ctx: OpContext, im: { name: string; ndfClass: string }, ...classes: string[]): void {
  if (im.ndfClass && !classes.includes(im.ndfClass.toUpperCase())) ctx.report.warn(`${im.name} has NDFCLASS ${im.ndfClass}, expected ${classes.join(' or ')}`);
}
