// The operations that reduce nothing: list (the classes of the frames in the work directory),
// version and help.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readHeaders } from '../../fits/index.js';
import type { Operation } from '../context.js';
import { REDUCER_VERSION, TDFDRVER } from '../version.js';

const rawName = /^[0-3][0-9](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[1-4][0-9]{4}\.fits?$/i;

export const list: Operation = {
  action: 'LIST',
  perFile: false,
  async run(ctx) {
    const names = readdirSync(ctx.ws.dir).filter((n) => rawName.test(n)).sort();
    const prefix = names.length ? names[0].slice(0, 6) : '';
    ctx.report.info(`${ctx.ws.dir}: ${prefix} (${names.length} raw frames)`);
    for (const n of names) {
      try {
        const h = (await readHeaders(path.join(ctx.ws.dir, n)))[0].header;
        ctx.report.info(`${n} ${h.string('NDFCLASS') ?? '?'} (${h.string('LAMPNAME') ?? ''})`);
      } catch (err) {
        ctx.report.info(`${n} UNREADABLE (${(err as Error).message})`);
      }
    }
  },
};

export const version: Operation = {
  action: 'VERSION',
  perFile: false,
  async run(ctx) {
    ctx.report.info(`2dfdr version ${TDFDRVER} (a 2dfdr 6/7-compatible aaorun; drsoda ${REDUCER_VERSION})`);
  },
};

export const helpText = `Usage: aaorun <operation> "<file> [<file> ...]" -idxfile <file.idx> [-OPTION value ...]

Operations:
  reduce_bias reduce_dark reduce_lflat   detector frames -> <root>im.fits, <root>red.fits
  combine_image                          median of reduced frames -> -COMBINEDFILE
  make_tlm                               tramline map of a fibre flat -> <root>tlm.fits (or -TLMAP_FILENAME)
  reduce_arc                             -TLMAP_FILENAME -> <root>red.fits with WAVELA (wavelength solution)
  reduce_fflat                           [-DO_TLMAP 0 -TLMAP_FILENAME] -> normalised fibre flat
  reduce_sky reduce_object               -TLMAP_FILENAME -WAVEL_FILENAME -FFLAT_FILENAME [-TPMETH -THPUT_FILENAME]
  combine_spectra                        reduced object frames -> -COMBINEDFILE
  splice                                 "<blue> <red>" -> -OUTPUT_FILE
  list version help

Options are case-insensitive, each followed by one value; any .idx parameter may be given as
-<NAME> <value> (booleans 0/1). Environment: IMP_SCRATCH (scratch directory).`;

export const help: Operation = {
  action: 'HELP',
  perFile: false,
  async run(ctx) {
    ctx.report.info(helpText);
  },
};
