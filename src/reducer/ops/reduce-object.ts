// reduce_object: the fibre-frame path (im, ex, fibre flat, scrunch), then throughput calibration
// (TPMETH) and subtraction of the median sky fibre: <root>red.fits with SKY and THPUT.
import path from 'node:path';
import { Header } from '../../fits/index.js';
import type { Operation } from '../context.js';
import { ReducerError, ReducerUsageError } from '../errors.js';
import { checkFibreCalibrations, readPerFibre, reduceFibreFrame } from '../fibre-frame.js';
import { expectClass } from '../im.js';
import { medianSky, scaleFibres, skyLinePixels, skyLineThroughput, subtractSky } from '../maths/sky.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader, reductionArgsHdu, setWavelengthWcs } from '../products.js';

/** Sky pixels count as line emission this many sigma above the sky continuum. */
const SKY_LINE_SIGMA = 10;

export const reduceObject: Operation = {
  action: 'REDUCE_OBJECT',
  perFile: true,
  check(ctx) {
    checkFibreCalibrations(ctx, 'REDUCE_OBJECT');
    const method = ctx.params.string('TPMETH', 'SKYFLUX(MED)').trim().toUpperCase();
    if (!['OFFSKY', 'SKYFLUX(MED)', 'SKYFLUX(COR)'].includes(method)) throw new ReducerUsageError(`TPMETH must be OFFSKY, SKYFLUX(MED) or SKYFLUX(COR), got ${JSON.stringify(method)}`);
    if (ctx.params.bool('THRUPUT', true) && method === 'OFFSKY' && !ctx.params.file('THPUT_FILENAME')) throw new ReducerError('TPMETH OFFSKY needs an offset-sky throughput: -THPUT_FILENAME is not given');
  },
  async run(ctx, [file]) {
    const { params, report } = ctx;
    const fr = await reduceFibreFrame(ctx, file);
    expectClass(ctx, fr.im, 'MFOBJECT');
    const { nFibres: nF, flux, variance, usable } = fr;
    const n = fr.grid.n;
    const types = fr.im.fibres?.types ?? new Array<string>(nF).fill('P');
    const skyFibres = types.flatMap((t, f) => (t === 'S' && usable[f] ? [f] : []));
    const history = [...fr.history];
    const t = new Float32Array(nF).fill(1);
    if (params.bool('THRUPUT', true)) {
      const method = params.string('TPMETH', 'SKYFLUX(MED)').trim().toUpperCase();
      if (method === 'OFFSKY') {
        const sky = await readPerFibre(ctx, 'THPUT_FILENAME', 'THPUT', nF);
        for (let f = 0; f < nF; f++) t[f] = sky[f] > 0 && fr.flatThroughput[f] > 0 ? sky[f] / fr.flatThroughput[f] : 1;
        history.push(`Throughput calibrated from offset sky ${params.file('THPUT_FILENAME')}`);
      } else if (skyFibres.length < 3) {
        report.warn(`only ${skyFibres.length} sky fibres: throughput left at the fibre flat's`);
      } else {
        const first = medianSky(flux, variance, n, skyFibres);
        const mask = skyLinePixels(first.sky, first.variance, n, SKY_LINE_SIGMA);
        const lit = Uint8Array.from(types, (ty, f) => (usable[f] && (ty === 'P' || ty === 'S') ? 1 : 0));
        const r = skyLineThroughput(flux, variance, nF, n, lit, skyFibres, first.sky, mask);
        if (r.lines === 0) report.warn('no sky line is bright enough: throughput left at the fibre flat\'s');
        else {
          t.set(r.throughput);
          report.info(`Throughput from ${r.lines} sky lines (${method}): ${r.corrected} fibres differ significantly from the fibre flat`);
          history.push(`Throughput calibrated (${method}) from ${r.lines} sky lines: ${r.corrected} fibres corrected`);
        }
      }
      scaleFibres(flux, variance, n, t);
    }
    let sky: Float32Array = new Float32Array(n).fill(0);
    if (params.bool('SKYSUB', true)) {
      if (skyFibres.length === 0) report.warn('no usable sky (S) fibres: sky not subtracted');
      else {
        const s = medianSky(flux, variance, n, skyFibres);
        const targets = types.flatMap((ty, f) => ((ty === 'P' || ty === 'S') && usable[f] ? [f] : []));
        subtractSky(flux, variance, n, targets, s.sky, s.variance);
        sky = s.sky;
        report.info(`Sky subtracted: median of ${skyFibres.length} sky fibres`);
        history.push(`Sky subtracted: median of ${skyFibres.length} sky fibres`);
      }
    }
    const thput = new Float32Array(nF);
    for (let f = 0; f < nF; f++) {
      thput[f] = usable[f] ? fr.flatThroughput[f] * t[f] : 0;
      if (!usable[f]) {
        flux.fill(NaN, f * n, (f + 1) * n);
        variance.fill(NaN, f * n, (f + 1) * n);
      }
    }
    const hdr = productHeader(fr.im.header, history, ctx.now);
    setWavelengthWcs(hdr, fr.grid);
    const out = ctx.ws.nextTo(fr.im.rawPath, 'red');
    await ctx.ws.writeFits(out, [
      imageHdu(undefined, flux, [n, nF], hdr),
      imageHdu('VARIANCE', variance, [n, nF]),
      ...(fr.im.fibres ? [fibresHdu(fr.im.fibres)] : []),
      imageHdu('SKY', sky, [n], new Header().comment('Median sky spectrum subtracted from the P and S fibres')),
      imageHdu('THPUT', thput, [nF], new Header().comment('Relative fibre throughput applied (0 = unusable)')),
      reductionArgsHdu(params),
      ndfClassHdu(fr.im.ndfClass),
    ]);
    report.info(`Reduced object frame ${path.basename(out)} created.`);
  },
};
