// combine_spectra: reduced object frames of one field and arm, fibre by fibre: scaled to the first
// frame's flux level, cosmic rays rejected, averaged; written to -COMBINEDFILE (default combined_frames.fits).
import path from 'node:path';
import { Header } from '../../fits/index.js';
import type { Operation } from '../context.js';
import { ReducerError } from '../errors.js';
import { scrunch } from '../maths/scrunch.js';
import { combineSpectra, relativeScale } from '../maths/spectra-combine.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader, reductionArgsHdu, setWavelengthWcs } from '../products.js';
import { matchRows, readSpectra, reorder, type SpectraProduct } from '../spectra-io.js';

/** Resamples a product onto another's grid when the two differ (different arcs). */
function onGrid(p: SpectraProduct, to: SpectraProduct): SpectraProduct {
  const g = p.grid;
  const t = to.grid;
  if (g.n === t.n && Math.abs(g.start - t.start) < 1e-6 * Math.abs(t.step) && Math.abs(g.step - t.step) < 1e-9 * Math.abs(t.step)) return p;
  const lam = Float64Array.from({ length: g.n }, (_, i) => g.start + i * g.step);
  const flux = new Float32Array(p.nRows * t.n);
  const variance = new Float32Array(p.nRows * t.n);
  for (let r = 0; r < p.nRows; r++) scrunch(p.flux, p.variance, r * g.n, g.n, lam, 0, t, flux, variance, r * t.n);
  return { ...p, flux, variance, grid: t, sky: null };
}

export const combineSpectraOp: Operation = {
  action: 'COMBINE_SPECTRA',
  perFile: false,
  async run(ctx, files) {
    const { params, report } = ctx;
    const out = ctx.ws.named(params.file('COMBINEDFILE') ?? 'combined_frames.fits');
    const raw: SpectraProduct[] = [];
    for (const name of files) raw.push(await readSpectra(ctx, name));
    const products = raw.map((p) => onGrid(p, raw[0]));
    products.forEach((p, k) => p !== raw[k] && report.warn(`${p.name} resampled onto the wavelength grid of ${files[0]}`));
    const match = matchRows(products);
    if (match.nRows === 0) throw new ReducerError('the inputs share no P or S fibre to combine');
    if (match.byName) report.info(`Fibre tables differ: matched ${match.nRows} P and S fibres by name`);
    const n = products[0].grid.n;
    const frames = products.map((p, k) => reorder(p, match.rows[k]));
    const scales = frames.map((f) => relativeScale(f, frames[0]));
    frames.forEach((f, k) => {
      const s = scales[k];
      if (!(s > 0) || s === 1) return;
      for (let i = 0; i < f.flux.length; i++) {
        f.flux[i] /= s;
        f.variance[i] /= s * s;
      }
    });
    const c = combineSpectra(frames, match.nRows * n, params.number('COMBINE_CLIP', 5));
    const sky = new Float32Array(n);
    const withSky = products.filter((p) => p.sky);
    products.forEach((p, k) => {
      if (p.sky) for (let i = 0; i < n; i++) sky[i] += p.sky[i] / (scales[k] || 1) / withSky.length;
    });
    const exposures = products.map((p) => p.header.number('EXPOSED') ?? 0);
    const history = [`Combined ${files.length} frames: ${files.join(' ')}`, `Relative scales: ${scales.map((s) => s.toFixed(4)).join(' ')}`, `Cosmic rays: ${c.rejected} values rejected`];
    const hdr = productHeader(products[0].header, history, ctx.now);
    setWavelengthWcs(hdr, products[0].grid);
    hdr.set('NCOMBINE', files.length, 'Frames combined');
    hdr.set('TOTALEXP', exposures.reduce((a, b) => a + b, 0), 'Total exposure of the combined frames (s)');
    report.info(`Combined ${files.length} frames (scales ${scales.map((s) => s.toFixed(3)).join(', ')}), rejected ${c.rejected} cosmic-ray values`);
    await ctx.ws.writeFits(out, [
      imageHdu(undefined, c.flux, [n, match.nRows], hdr),
      imageHdu('VARIANCE', c.variance, [n, match.nRows]),
      ...(match.fibres ? [fibresHdu(match.fibres)] : []),
      imageHdu('SKY', sky, [n], new Header().comment('Mean of the input frames\' sky spectra')),
      reductionArgsHdu(params),
      ndfClassHdu(products[0].header.string('NDFCLASS') ?? 'MFOBJECT'),
    ]);
    report.info(`Combined spectra ${path.basename(out)} created.`);
  },
};
