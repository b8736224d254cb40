// combine_image: median of reduced bias/dark/long-slit-flat frames with variance, read in row bands so
// thirty full frames need a few tens of MB, written to -COMBINEDFILE (default combined_frames.fits).
import path from 'node:path';
import type { Operation } from '../context.js';
import { ReducerError } from '../errors.js';
import { hasHdu, openFits, openRows, type RowReader } from '../fits-io.js';
import { medianCombine } from '../maths/image-combine.js';
import { imageHdu, ndfClassHdu, productHeader, reductionArgsHdu } from '../products.js';

/** Bytes of input held per band (all frames, data and variance). */
const BAND_BYTES = 64 << 20;

export const combineImage: Operation = {
  action: 'COMBINE_IMAGE',
  perFile: false,
  async run(ctx, files) {
    const { ws, report } = ctx;
    const out = ws.named(ctx.params.file('COMBINEDFILE') ?? 'combined_frames.fits');
    const data: RowReader[] = [];
    const vars: (RowReader | null)[] = [];
    try {
      for (const name of files) {
        const f = await openFits(ws.input(name, 'input file'), name, 'input file');
        const d = await openRows(f, 'PRIMARY');
        data.push(d);
        vars.push(hasHdu(f, 'VARIANCE') ? await openRows(f, 'VARIANCE') : null);
        if (d.width !== data[0].width || d.height !== data[0].height) {
          throw new ReducerError(`${name} is ${d.width}x${d.height} pixels but ${files[0]} is ${data[0].width}x${data[0].height}: cannot combine`);
        }
        report.info(`Combining ${name}`);
      }
      const { width, height } = data[0];
      const band = Math.max(1, Math.min(height, Math.floor(BAND_BYTES / (8 * width * files.length))));
      const combined = new Float32Array(width * height);
      const cvar = new Float32Array(width * height);
      const bufs = data.map(() => new Float32Array(band * width));
      const vbufs = vars.map((v) => (v ? new Float32Array(band * width) : null));
      for (let y0 = 0; y0 < height; y0 += band) {
        const n = Math.min(band, height - y0);
        for (let i = 0; i < data.length; i++) {
          await data[i].read(y0, n, bufs[i]);
          if (vars[i]) await vars[i]!.read(y0, n, vbufs[i]!);
        }
        medianCombine(bufs, vbufs, n * width, combined.subarray(y0 * width), cvar.subarray(y0 * width));
      }
      const h0 = data[0].header;
      const cls = (h0.string('NDFCLASS') ?? '').replace(/RED$/, '');
      const exposures = data.map((d) => d.header.number('EXPOSED') ?? 0);
      const hdr = productHeader(h0, [`Median of ${files.length} frames: ${files.join(' ')}`], ctx.now);
      hdr.set('NDFCLASS', `${cls}RED`, 'Data Reduction class name (NDFCLASS)');
      hdr.set('EXPOSED', exposures.reduce((a, b) => a + b, 0) / exposures.length, 'Mean exposure of the combined frames (s)');
      hdr.set('NCOMBINE', files.length, 'Frames combined');
      await ws.writeFits(out, [imageHdu(undefined, combined, [width, height], hdr), imageHdu('VARIANCE', cvar, [width, height]), ndfClassHdu(`${cls}RED`), reductionArgsHdu(ctx.params)]);
      report.info(`Combined image ${path.basename(out)} created.`);
    } finally {
      for (const r of [...data, ...vars]) await r?.close();
    }
  },
};
