// Every aaorun operation by name.
import type { Operation } from './context.js';
import { combineImage } from './ops/combine-image.js';
import { combineSpectraOp } from './ops/combine-spectra.js';
import { help, list, version } from './ops/info.js';
import { makeTlm } from './ops/make-tlm.js';
import { reduceArc } from './ops/reduce-arc.js';
import { reduceBias, reduceDark, reduceLflat } from './ops/reduce-detector.js';
import { reduceFflat } from './ops/reduce-fflat.js';
import { reduceObject } from './ops/reduce-object.js';
import { reduceSky } from './ops/reduce-sky.js';
import { splice } from './ops/splice.js';

export const operations: Record<string, Operation> = {
  reduce_bias: reduceBias,
  reduce_dark: reduceDark,
  reduce_lflat: reduceLflat,
  combine_image: combineImage,
  make_tlm: makeTlm,
  reduce_arc: reduceArc,
  reduce_fflat: reduceFflat,
  reduce_sky: reduceSky,
  reduce_object: reduceObject,
  combine_spectra: combineSpectraOp,
  splice,
  list,
  version,
  help,
  examples: help,
};

/** Operations that run without an .idx file. */
export const needsNoIdx = new Set(['list', 'version', 'help', 'examples']);
