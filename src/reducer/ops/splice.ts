// splice: a blue-arm and a red-arm reduction of the same fibres merged onto one linear wavelength
// grid (the finer step, bluest start to reddest end); written to -OUTPUT_FILE (default spliced.fits).
import path from 'node:path';
import { Header } from '../../fits/index.js';
import type { Operation } from '../context.js';
import { ReducerUsageError } from '../errors.js';
import { spliceArms, spliceGrid } from '../maths/spectra-combine.js';
import { fibresHdu, imageHdu, ndfClassHdu, productHeader, reductionArgsHdu, setWavelengthWcs } from '../products.js';
import { matchRows, readSpectra, reorder } from '../spectra-io.js';

export const splice: Operation = {
  action: 'SPLICE',
  perFile: false,
  async run(ctx, files) {
    const { params, report } = ctx;
    if (files.length !== 2) throw new ReducerUsageError(`splice needs two files (blue and red arm), got ${files.length}`);
    const out = ctx.ws.named(params.file('OUTPUT_FILE') ?? 'spliced.fits');
    const inputs = await Promise.all(files.map((f) => readSpectra(ctx, f)));
    // The bluer grid is the blue arm, whatever the order given.
    const [blue, red] = inputs[0].grid.start <= inputs[1].grid.start ? inputs : [inputs[1], inputs[0]];
    const match = matchRows([blue, red]);
    const grid = spliceGrid(blue.grid, red.grid);
    const b = reorder(blue, match.rows[0]);
    const r = reorder(red, match.rows[1]);
    const s = spliceArms({ ...b, grid: blue.grid }, { ...r, grid: red.grid }, match.nRows, grid);
    const hasSky = blue.sky && red.sky;
    const sky = hasSky
      ? spliceArms({ flux: blue.sky!, variance: new Float32Array(blue.grid.n).fill(1), grid: blue.grid }, { flux: red.sky!, variance: new Float32Array(red.grid.n).fill(1), grid: red.grid }, 1, grid).flux
      : null;
    const hdr = productHeader(blue.header, [`Spliced ${blue.name} (blue) and ${red.name} (red)`], ctx.now);
    setWavelengthWcs(hdr, grid);
    hdr.delete('SPECTID');
    report.info(`Spliced ${blue.name} and ${red.name}: ${grid.n} pixels from ${grid.start.toFixed(2)} A in steps of ${grid.step.toFixed(4)} A`);
    await ctx.ws.writeFits(out, [
      imageHdu(undefined, s.flux, [grid.n, match.nRows], hdr),
      imageHdu('VARIANCE', s.variance, [grid.n, match.nRows]),
      ...(match.fibres ? [fibresHdu(match.fibres)] : []),
      ...(sky ? [imageHdu('SKY', sky, [grid.n], new Header().comment('Spliced sky spectra of the two arms'))] : []),
      reductionArgsHdu(params),
      ndfClassHdu(blue.header.string('NDFCLASS') ?? 'MFOBJECT'),
    ]);
    report.info(`Spliced spectra ${path.basename(out)} created.`);
  },
};
