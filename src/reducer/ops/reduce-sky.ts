// reduce_sky: an offset-sky (or twilight) frame through the fibre-frame path; every fibre saw the same
// sky, so each fibre's median ratio to the median fibre is its throughput: <root>red.fits with THPUT,
// the THPUT_FILENAME of TPMETH OFFSKY.
import path from 'node:path';
import { Header } from '../../fits/index.js';
import type { Operation } from '../context.js';
import { checkFibreCalibrations, reduceFibreFrame } from '../fibre-frame.js';
import { expectClass } from '../im.js';
import { medianFinite, medianInPlace } from '../maths/stats.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader, reductionArgsHdu, setWavelengthWcs } from '../products.js';

export const reduceSky: Operation = {
  action: 'REDUCE_SKY',
  perFile: true,
  check(ctx) {
    checkFibreCalibrations(ctx, 'REDUCE_SKY');
  },
  async run(ctx, [file]) {
    const fr = await reduceFibreFrame(ctx, file);
    expectClass(ctx, fr.im, 'MFSKY', 'SFLAT');
    const { nFibres: nF, flux, variance, usable } = fr;
    const n = fr.grid.n;
    const ref = new Float64Array(n);
    const buf = new Float64Array(Math.max(nF, n));
    for (let x = 0; x < n; x++) {
      let m = 0;
      for (let f = 0; f < nF; f++) if (usable[f] && flux[f * n + x] === flux[f * n + x]) buf[m++] = flux[f * n + x];
      ref[x] = medianInPlace(buf, m);
    }
    const ratio = new Float64Array(n);
    const t = new Float32Array(nF);
    for (let f = 0; f < nF; f++) {
      if (!usable[f]) continue;
      for (let x = 0; x < n; x++) ratio[x] = ref[x] > 0 ? flux[f * n + x] / ref[x] : NaN;
      t[f] = medianFinite(ratio, 0, n, 1, buf);
    }
    let m = 0;
    for (let f = 0; f < nF; f++) if (t[f] > 0) buf[m++] = t[f];
    const norm = m ? medianInPlace(buf, m) : 1;
    const thput = new Float32Array(nF);
    for (let f = 0; f < nF; f++) thput[f] = t[f] > 0 ? (fr.flatThroughput[f] * t[f]) / norm : 0;
    const hdr = productHeader(fr.im.header, [...fr.history, 'Throughput: median ratio of each fibre to the median fibre'], ctx.now);
    setWavelengthWcs(hdr, fr.grid);
    const out = ctx.ws.nextTo(fr.im.rawPath, 'red');
    await ctx.ws.writeFits(out, [
      imageHdu(undefined, flux, [n, nF], hdr),
      imageHdu('VARIANCE', variance, [n, nF]),
      ...(fr.im.fibres ? [fibresHdu(fr.im.fibres)] : []),
      imageHdu('THPUT', thput, [nF], new Header().comment('Relative fibre throughput (0 = unusable)')),
      reductionArgsHdu(ctx.params),
      ndfClassHdu(fr.im.ndfClass),
    ]);
    ctx.report.info(`Reduced sky frame ${path.basename(out)} created.`);
  },
};
