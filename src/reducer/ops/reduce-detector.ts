// reduce_bias, reduce_dark and reduce_lflat: make_im, then the frame itself is the product
// (<root>red.fits); a long-slit flat is first normalised to its pixel-to-pixel response.
import type { Operation, OpContext } from '../context.js';
import { expectClass, makeIm, type ImFrame } from '../im.js';
import { normaliseLongSlitFlat } from '../maths/frame-ops.js';
import { imageHdu, ndfClassHdu, productHeader, reductionArgsHdu } from '../products.js';
import path from 'node:path';

async function writeRed(ctx: OpContext, im: ImFrame, history: string[]): Promise<void> {
  const out = ctx.ws.nextTo(im.rawPath, 'red');
  const hdr = productHeader(im.header, [...im.history, ...history], ctx.now);
  await ctx.ws.writeFits(out, [
    imageHdu(undefined, im.image, [im.width, im.height], hdr),
    imageHdu('VARIANCE', im.variance, [im.width, im.height]),
    ndfClassHdu(im.ndfClass),
    reductionArgsHdu(ctx.params),
  ]);
  ctx.report.info(`Reduced frame ${path.basename(out)} created.`);
}

export const reduceBias: Operation = {
  action: 'REDUCE_BIAS',
  perFile: true,
  async run(ctx, [file]) {
    const im = await makeIm(ctx, file, { bias: false, dark: false, lflat: false });
    expectClass(ctx, im, 'BIAS');
    await writeRed(ctx, im, ['Reduced bias frame']);
  },
};

export const reduceDark: Operation = {
  action: 'REDUCE_DARK',
  perFile: true,
  async run(ctx, [file]) {
    const im = await makeIm(ctx, file, { bias: true, dark: false, lflat: false });
    expectClass(ctx, im, 'DARK');
    await writeRed(ctx, im, [`Reduced dark frame (${im.header.number('EXPOSED') ?? 0} s)`]);
  },
};

export const reduceLflat: Operation = {
  action: 'REDUCE_LFLAT',
  perFile: true,
  async run(ctx, [file]) {
    const im = await makeIm(ctx, file, { bias: true, dark: true, lflat: false });
    expectClass(ctx, im, 'LFLAT', 'DFLAT');
    normaliseLongSlitFlat(im.image, im.variance, im.width, im.height);
    await writeRed(ctx, im, ['Normalised long-slit flat: each row over its 32-column block-median baseline']);
  },
};
