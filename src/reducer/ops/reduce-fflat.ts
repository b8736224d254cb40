// reduce_fflat: the tramline map (unless -DO_TLMAP 0, then TLMAP_FILENAME or <root>tlm.fits is read),
// extraction, and the normalised fibre flat: <root>red.fits in extracted-pixel space with THPUT.
import path from 'node:path';
import { Header } from '../../fits/index.js';
import type { Operation } from '../context.js';
import { extractIm, writeEx } from '../extraction.js';
import { expectClass, makeIm } from '../im.js';
import { normaliseFibreFlat } from '../maths/fibre-flat.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader, reductionArgsHdu } from '../products.js';
import { readTlm, usableFibres } from '../tlm.js';
import { readWavel } from '../wavelength.js';
import { tlmPass } from './make-tlm.js';

export const reduceFflat: Operation = {
  action: 'REDUCE_FFLAT',
  perFile: true,
  async run(ctx, [file]) {
    const { params, report } = ctx;
    const im = await makeIm(ctx, file, { bias: true, dark: true, lflat: true });
    expectClass(ctx, im, 'MFFFF');
    const tlmFile = params.bool('DO_TLMAP', true) ? await tlmPass(ctx, im) : ctx.ws.nextTo(im.rawPath, 'tlm');
    if (!params.bool('DO_REDFL', true)) {
      report.info('Only creating tlm this pass');
      return;
    }
    const tlm = await readTlm(ctx, im, path.relative(ctx.ws.dir, tlmFile));
    const ex = extractIm(ctx, im, tlm, 'always');
    const nF = tlm.nFibres;
    const wavel = params.file('WAVEL_FILENAME') ? await readWavel(ctx, nF, im.width) : null;
    await writeEx(ctx, im, ex, wavel?.wavela ?? null);
    const ff = normaliseFibreFlat(ex.flux, ex.variance, nF, im.width, usableFibres(im.fibres, nF));
    const dead = Array.from(ff.throughput).filter((t, f) => t === 0 && (im.fibres?.types[f] ?? 'P') !== 'F' && (im.fibres?.types[f] ?? 'P') !== 'N').length;
    if (dead) report.warn(`${dead} fibres expected to be lit have (almost) no light in the flat: marked unusable`);
    const hdr = productHeader(im.header, [...ex.history, 'Normalised fibre flat: each fibre over the median fibre at each pixel'], ctx.now);
    const out = ctx.ws.nextTo(im.rawPath, 'red');
    await ctx.ws.writeFits(out, [
      imageHdu(undefined, ff.flat, [im.width, nF], hdr),
      imageHdu('VARIANCE', ff.variance, [im.width, nF]),
      ...(im.fibres ? [fibresHdu(im.fibres)] : []),
      imageHdu('THPUT', ff.throughput, [nF], new Header().comment('Relative fibre throughput from the flat (0 = unusable)')),
      ...(wavel ? [imageHdu('WAVELA', wavel.wavela, [im.width, nF], new Header().set('BUNIT', 'nm', `from ${wavel.name}`))] : []),
      ndfClassHdu(im.ndfClass),
      reductionArgsHdu(params),
    ]);
    report.info(`Reduced fibre flat ${path.basename(out)} created.`);
  },
};
