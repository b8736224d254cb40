// Reduction options: validation and defaults (the DALI/SODA parameters map onto these); pure.
import { z } from 'zod';
import type { PlanOptions } from '../domain/plan.js';
import { usageError } from '../errors.js';
import type { PipelinePresets } from './presets.js';

export const planOptionsSchema = z
  .object({
    arms: z.enum(['blue', 'red', 'both']).default('both'),
    /** Name of a preset in schemas/pipeline-presets.json; defaults to its defaultPreset. */
    idxPreset: z.string().min(1).optional(),
    /** -EXTR_OPERATION for fibre flats, offset skies and objects (arcs always use GAUSS, as SAMI does). */
    extraction: z.enum(['GAUSS', 'OPTEX', 'SMCOPTEX', 'TRAM']).default('GAUSS'),
    /** -TPMETH; OFFSKY needs an offset-sky frame and falls back to SKYFLUX(MED) with a warning; NONE is -THRUPUT 0. */
    throughput: z.enum(['OFFSKY', 'SKYFLUX(MED)', 'SKYFLUX(COR)', 'NONE']).default('OFFSKY'),
    skySubtraction: z.boolean().default(true),
    combine: z.boolean().default(true),
    splice: z.boolean().default(true),
  })
  .strict();

export type PlanOptionsInput = z.input<typeof planOptionsSchema>;

/**
 * Applies defaults and checks the preset exists.
 * @throws ServiceError UsageError naming the bad option.
 */
export function resolvePlanOptions(input: PlanOptionsInput | undefined, presets: PipelinePresets): PlanOptions {
  const r = planOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw usageError(`invalid reduction option ${i.path.join('.') || ''}: ${i.message}`.replace('option :', 'options:'));
  }
  const idxPreset = r.data.idxPreset ?? presets.defaultPreset;
  if (!presets.presets[idxPreset]) {
    throw usageError(`unknown IDX_PRESET "${idxPreset}"; available: ${Object.keys(presets.presets).sort().join(', ')}`);
  }
  const { arms, extraction, throughput, skySubtraction, combine, splice } = r.data;
  return { arms, idxPreset, extraction, throughput, skySubtraction, combine, splice };
}
