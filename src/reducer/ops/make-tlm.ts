// make_tlm: the tramline map of a fibre flat (2dFdr runs it as the first pass of REDUCE_FFLAT),
// written to -TLMAP_FILENAME or <root>tlm.fits.
import type { Operation, OpContext } from '../context.js';
import { expectClass, makeIm, type ImFrame } from '../im.js';
import { traceIm, writeTlm } from '../tlm.js';

/** Makes and writes the tramline map of a flat; returns where it went. */
export async function tlmPass(ctx: OpContext, im: ImFrame): Promise<string> {
  const named = ctx.params.file('TLMAP_FILENAME');
  const out = named ? ctx.ws.named(named) : ctx.ws.nextTo(im.rawPath, 'tlm');
  const t = traceIm(ctx, im);
  await writeTlm(ctx, out, im, t);
  return out;
}

export const makeTlm: Operation = {
  action: 'REDUCE_FFLAT',
  perFile: true,
  async run(ctx, [file]) {
    const im = await makeIm(ctx, file, { bias: true, dark: true, lflat: true });
    expectClass(ctx, im, 'MFFFF');
    await tlmPass(ctx, im);
    ctx.report.info('Only creating tlm this pass');
  },
};
