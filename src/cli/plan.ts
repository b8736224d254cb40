// `drsoda plan ID...`: the reduction plan the service would run for archive frame or field IDs, without running it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseDid } from '../archive/dids.js';
import type { SpatialFilter } from '../cutout/filters.js';
import type { FieldSelector, Plan } from '../domain/plan.js';
import { usageError } from '../errors.js';
import { resolvePipeline } from '../executor/choose-runner.js';
import { createLogger } from '../logger.js';
import type { PlanOptionsInput } from '../planner/options.js';
import { createPlan } from '../planner/plan.js';
import { defaultPresetsFile, parsePipelinePresets, type PipelinePresets } from '../planner/presets.js';
import { planToJson } from '../planner/render-json.js';
import { planToText } from '../planner/render-text.js';
import { planXml } from '../vo/plan-xml.js';
import { cliContext, fail } from './context.js';
import { openCliServices } from './open-db.js';
import { applyRegions, parseRegions, type NoDataId } from './plan-regions.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Reads and validates a pipeline presets file (the planner itself does no I/O).
 * @throws Error naming the file and what is wrong with it.
 */
export function readPipelinePresets(file = path.join(projectRoot, defaultPresetsFile)): PipelinePresets {
  try {
    return parsePipelinePresets(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

interface PlanCliOptions {
  arms: string;
  idxPreset?: string;
  extraction?: string;
  throughput?: string;
  skySubtraction: boolean;
  combine: boolean;
  splice: boolean;
  presets?: string;
  format: string;
  circle: string[];
  polygon: string[];
  pos: string[];
}

const collect = (v: string, all: string[]) => [...all, v];

/** The plan in the asked format, with the IDs that give "no data" (only when regions were given). */
function render(format: string, plan: Plan | null, noData: NoDataId[] | null): string {
  if (format === 'json') return noData ? `${JSON.stringify({ noData, plan }, null, 2)}\n` : planToJson(plan!);
  if (format === 'xml') {
    // An XML comment may not hold "--" (nor end in "-").
    const notes = (noData ?? []).map((n) => `<!-- no data: ${`${n.id}: ${n.message}`.replace(/-(?=-)/g, '- ')} -->\n`);
    return plan ? notes.join('') + planXml(plan) : `<?xml version="1.0" encoding="UTF-8"?>\n${notes.join('')}`;
  }
  const lines = (noData ?? []).map((n) => `no data (a text/plain result; nothing is reduced for it): ${n.id}: ${n.message}\n`);
  return lines.join('') + (plan ? planToText(plan) : '');
}

// Every frame of a requested night is a possible calibrator; a night has a few thousand frames at most.
const maxFramesPerRequest = 100_000;

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('print the 2dFdr steps that would reduce the given frame or field IDs (nothing is run)')
    .argument('<id...>', 'frame IDs (ivo://AUTHORITY/aat?YYYY-MM-DD/ccdN/RRRR) or field IDs (ivo://AUTHORITY/aat?YYYY-MM-DD/field/CFG)')
    .option('--arms <arms>', 'blue, red or both', 'both')
    .option('--idx-preset <name>', 'pipeline preset (default: the presets file\'s defaultPreset)')
    .option('--extraction <method>', 'GAUSS, OPTEX, SMCOPTEX or TRAM')
    .option('--throughput <method>', 'OFFSKY, SKYFLUX(MED), SKYFLUX(COR) or NONE')
    .option('--no-sky-subtraction', 'do not subtract the sky')
    .option('--no-combine', 'do not combine the object frames of a field')
    .option('--no-splice', 'do not splice blue and red')
    .option('--presets <file>', `pipeline presets JSON (default: ${defaultPresetsFile})`)
    .option('--format <format>', 'text, json or xml', 'text')
    .option('--circle <"ra dec radius">', 'SODA CIRCLE in degrees: object frames with no fibre target inside any region are not planned (repeatable)', collect, [])
    .option('--polygon <"ra1 dec1 ...">', 'SODA POLYGON in degrees (repeatable)', collect, [])
    .option('--pos <"shape ...">', 'SODA POS: CIRCLE, RANGE or POLYGON (repeatable)', collect, [])
    .action(async (ids: string[], o: PlanCliOptions) => {
      const { config } = cliContext();
      if (!['text', 'json', 'xml'].includes(o.format)) fail(usageError(`--format must be text, json or xml (got ${JSON.stringify(o.format)})`));
      let presets: PipelinePresets;
      const frameIds: string[] = [];
      const fields: FieldSelector[] = [];
      const fieldIds: string[] = [];
      const nights = new Set<string>();
      let spatial: SpatialFilter[] = [];
      try {
        presets = readPipelinePresets(o.presets);
        spatial = parseRegions(o);
        for (const id of ids) {
          const ref = parseDid(config.ivoAuthority, id);
          if (ref.kind === 'night') throw usageError(`${id} names a whole night; give frame or field IDs (see drsoda frames --night ${ref.night})`);
          if (ref.kind === 'frame') frameIds.push(id);
          else {
            fields.push({ night: ref.night, cfgFile: ref.cfg });
            fieldIds.push(id);
          }
          nights.add(ref.night);
        }
      } catch (err) {
        fail(err);
      }
      const options = {
        arms: o.arms,
        idxPreset: o.idxPreset,
        extraction: o.extraction,
        throughput: o.throughput,
        skySubtraction: o.skySubtraction,
        combine: o.combine,
        splice: o.splice,
      } as PlanOptionsInput;
      const log = createLogger(config.logLevel, process.stderr, config.logFormat);
      const { factory, close } = await openCliServices(config, log, 'drsoda-plan').catch(fail);
      let out: string;
      try {
        const archive = factory.archive();
        const listed = (await archive.list({ filter: { night: [...nights] }, limit: maxFramesPerRequest, offset: 0 })).frames;
        const r = await applyRegions(archive, spatial, { frames: listed, frameIds, fields, fieldIds });
        // The step ids the service would give: they hash the pipeline its runner choice resolves (image id, program).
        const pipeline = await resolvePipeline({ ...config.executor, dataDir: config.dataDir }, log);
        const plan = r.frameIds.length || r.fields.length ? createPlan({ frames: r.frames, request: { frameIds: r.frameIds, fields: r.fields }, options, presets: presets!, pipeline }) : null;
        out = render(o.format, plan, spatial.length ? r.noData : null);
      } catch (err) {
        await close();
        fail(err);
      }
      await close();
      process.stdout.write(out);
    });
}
