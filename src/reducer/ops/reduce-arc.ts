// reduce_arc: make_im, extraction along TLMAP_FILENAME (GAUSS, as SAMI forces for arcs), line
// identification and a per-fibre dispersion fit, then the arc scrunched onto its own linear grid:
// <root>red.fits with WAVELA (nm) and SHIFTS, the WAVEL_FILENAME of every later step.
import path from 'node:path';
import { Header } from '../../fits/index.js';
import { arcLineList } from '../arc-lines.js';
import { solveArcFrame } from '../arc-solve.js';
import type { Operation } from '../context.js';
import { ReducerError } from '../errors.js';
import { extractIm, writeEx } from '../extraction.js';
import { expectClass, makeIm } from '../im.js';
import { scrunch } from '../maths/scrunch.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader, reductionArgsHdu, setWavelengthWcs } from '../products.js';
import { readTlm, usableFibres } from '../tlm.js';
import { commonGrid, shiftsTable } from '../wavelength.js';

export const reduceArc: Operation = {
  action: 'REDUCE_ARC',
  perFile: true,
  check(ctx) {
    if (!ctx.params.file('TLMAP_FILENAME')) throw new ReducerError('REDUCE_ARC needs a tramline map: -TLMAP_FILENAME is not given');
  },
  async run(ctx, [file]) {
    const { params, report } = ctx;
    const im = await makeIm(ctx, file, { bias: true, dark: true, lflat: true });
    expectClass(ctx, im, 'MFARC');
    const tlm = await readTlm(ctx, im);
    const ex = extractIm(ctx, im, tlm, 'never', 'GAUSS');
    const lamp = arcLineList(im.header.string('LAMPNAME') ?? '');
    if (!lamp.exact) report.warn(`LAMPNAME ${JSON.stringify(im.header.string('LAMPNAME'))}: using the ${lamp.lamp} line list`);
    const lambdac = im.header.number('LAMBDAC');
    const dispers = im.header.number('DISPERS');
    if (!lambdac || !dispers) throw new ReducerError(`${file} has no LAMBDAC/DISPERS: the arc cannot be identified without the grating's prediction`);
    const degree = Math.max(1, Math.round(params.number('ARCFITORDER', 3)));
    const sol = solveArcFrame(ex.flux, ex.variance, tlm.nFibres, im.width, usableFibres(im.fibres, tlm.nFibres), { centreAngstrom: lambdac, dispersion: dispers, xc: (im.width - 1) / 2 }, lamp.lines, {
      degree,
      maxShiftPx: params.number('ARC_MAXSHIFT', 40),
      blendFwhm: params.number('ARC_BLENDSEP', 2),
      threshold: 8,
      modelFit: params.bool('ARC_MODELFIT', true),
    });
    const solvedRms = Array.from(sol.rmsPx).filter(Number.isFinite).sort((a, b) => a - b);
    const solvedLines = Array.from(sol.lines).filter((n) => n > 0).sort((a, b) => a - b);
    const medRms = solvedRms[(solvedRms.length - 1) >> 1];
    const medLines = solvedLines[(solvedLines.length - 1) >> 1];
    const nSolved = solvedRms.length;
    report.info(`Arc fitted in ${nSolved} fibres: median ${medLines} lines, median RMS ${medRms.toFixed(3)} pixels (order ${degree}, reference fibre ${sol.reference + 1})`);

    await writeEx(ctx, im, ex, sol.wavela);
    const grid = commonGrid(sol.wavela, tlm.nFibres, im.width, sol.solved);
    const flux = new Float32Array(tlm.nFibres * grid.n);
    const variance = new Float32Array(tlm.nFibres * grid.n);
    const lamA = new Float64Array(im.width);
    for (let f = 0; f < tlm.nFibres; f++) {
      for (let x = 0; x < im.width; x++) lamA[x] = sol.wavela[f * im.width + x] * 10;
      scrunch(ex.flux, ex.variance, f * im.width, im.width, lamA, 0, grid, flux, variance, f * grid.n);
    }
    const hdr = productHeader(im.header, [...ex.history, `Arc fitted: ${nSolved} fibres, median ${medLines} lines, median RMS ${medRms.toFixed(4)} px, order ${degree}`, 'Scrunched to a linear wavelength grid'], ctx.now);
    setWavelengthWcs(hdr, grid);
    hdr.set('ARCRMS', medRms, 'Median RMS of the arc fits (pixels)');
    hdr.set('ARCNLINE', medLines, 'Median number of lines fitted per fibre');
    hdr.set('ARCFWHM', sol.fwhmPx, 'Median FWHM of the arc lines (pixels)');
    const shifts = shiftsTable(sol.polys, im.width, degree);
    const out = ctx.ws.nextTo(im.rawPath, 'red');
    await ctx.ws.writeFits(out, [
      imageHdu(undefined, flux, [grid.n, tlm.nFibres], hdr),
      imageHdu('VARIANCE', variance, [grid.n, tlm.nFibres]),
      ...(im.fibres ? [fibresHdu(im.fibres)] : []),
      imageHdu('WAVELA', sol.wavela, [im.width, tlm.nFibres], new Header().set('BUNIT', 'nm', 'wavelength of each extracted pixel')),
      imageHdu('SHIFTS', shifts.data, [degree + 1, tlm.nFibres], shifts.header),
      ndfClassHdu(im.ndfClass),
      reductionArgsHdu(params),
    ]);
    const diag = ['# fibre solved lines rms_px'];
    for (let f = 0; f < tlm.nFibres; f++) diag.push(`${f + 1} ${sol.solved[f]} ${sol.lines[f]} ${Number.isFinite(sol.rmsPx[f]) ? sol.rmsPx[f].toFixed(4) : 'NaN'}`);
    if (!ctx.ws.writeDiagnostic('ARCFITS.DAT', diag.join('\n') + '\n')) report.warn(`cannot write ARCFITS.DAT into ${ctx.ws.outDir}`);
    report.info(`Reduced arc ${path.basename(out)} created.`);
  },
};
