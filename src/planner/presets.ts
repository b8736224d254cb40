// Pipeline presets: per grating, the 2dfdr .idx file a step runs with (schemas/pipeline-presets.json); pure.
import { z } from 'zod';
import type { IdxFile } from '../domain/plan.js';
import { usageError } from '../errors.js';

/** The committed presets file, relative to the project root (the caller reads it; the planner does no I/O). */
export const defaultPresetsFile = 'schemas/pipeline-presets.json';

const idxName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.idx$/, 'a bare .idx file name');
/** Values go on one idx line, so no quotes or line breaks; strings with spaces are written quoted. */
const parameterValue = z.union([z.string().regex(/^[^"\r\n]*$/), z.number(), z.boolean()]);

export const gratingPresetSchema = z
  .object({
    idxFile: idxName.describe('file name the executor writes the generated idx under'),
    parameters: z
      .record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), parameterValue)
      .describe('2dfdr REDUCE parameters written as DRC_OVERRIDE_PAR lines, in this order'),
  })
  .strict();

export const pipelinePresetSchema = z
  .object({
    description: z.string(),
    include: idxName.describe('base idx shipped with 2dfdr (DRC_INCLUDE)'),
    gratings: z.record(z.string().min(1), gratingPresetSchema).describe('keyed by GRATID, e.g. 580V'),
  })
  .strict();

export const pipelinePresetsSchema = z
  .object({
    $schema: z.string().optional(),
    defaultPreset: z.string(),
    presets: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), pipelinePresetSchema),
  })
  .strict();

export type PipelinePresets = z.infer<typeof pipelinePresetsSchema>;
export type PipelinePreset = z.infer<typeof pipelinePresetSchema>;

/**
 * Validates a presets document (already parsed JSON).
 * @throws Error naming the offending path when it does not match the schema or is inconsistent.
 */
export function parsePipelinePresets(json: unknown): PipelinePresets {
  const r = pipelinePresetsSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`pipeline presets: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const p = r.data;
  if (!p.presets[p.defaultPreset]) throw new Error(`pipeline presets: defaultPreset "${p.defaultPreset}" is not defined`);
  for (const [name, preset] of Object.entries(p.presets)) {
    // One plan uses one preset; its idx names must be distinct or two gratings would overwrite each other's file.
    const seen = new Map<string, string>();
    for (const [grating, g] of Object.entries(preset.gratings)) {
      const other = seen.get(g.idxFile);
      if (other) throw new Error(`pipeline presets: ${name}: gratings ${other} and ${grating} both use ${g.idxFile}`);
      seen.set(g.idxFile, grating);
    }
  }
  return p;
}

function renderValue(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return String(v);
  return /\s/.test(v) || v === '' ? `"${v}"` : v;
}

/** The idx file content for one preset and grating (2dfdr-domain-notes §3.2 directives). */
export function renderIdx(presetName: string, preset: PipelinePreset, grating: string): IdxFile {
  const g = preset.gratings[grating];
  const lines = [
    `# ${g.idxFile}: written by drsoda from pipeline preset "${presetName}", grating ${grating}`,
    `DRC_INCLUDE ${preset.include}`,
    ...Object.entries(g.parameters).map(([k, v]) => `DRC_OVERRIDE_PAR ${k} ${renderValue(v)} REDUCE`),
  ];
  return { fileName: g.idxFile, preset: presetName, grating, content: lines.join('\n') + '\n' };
}

/** Memoised idx lookup for one preset, matching GRATID case-insensitively and ignoring padding. */
export function createIdxLookup(presets: PipelinePresets, presetName: string): (gratId: string) => IdxFile {
  const preset = presets.presets[presetName];
  if (!preset) throw usageError(`unknown IDX_PRESET "${presetName}"; available: ${Object.keys(presets.presets).sort().join(', ')}`);
  const byKey = new Map<string, string>(Object.keys(preset.gratings).map((g) => [g.trim().toUpperCase(), g]));
  const cache = new Map<string, IdxFile>();
  return (gratId) => {
    const key = gratId.trim().toUpperCase();
    let idx = cache.get(key);
    if (idx) return idx;
    const grating = byKey.get(key);
    if (!grating) {
      const others = Object.entries(presets.presets)
        .filter(([, p]) => Object.keys(p.gratings).some((g) => g.toUpperCase() === key))
        .map(([n]) => n);
      throw usageError(
        `IDX_PRESET "${presetName}" has no idx for grating "${gratId.trim()}"` +
          (others.length ? `; presets that have one: ${others.sort().join(', ')}` : ''),
      );
    }
    idx = renderIdx(presetName, preset, grating);
    cache.set(key, idx);
    return idx;
  };
}

/** The JSON Schema committed as schemas/pipeline-presets.schema.json (a unit test keeps the two identical). */
export function pipelinePresetsJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(pipelinePresetsSchema, { target: 'draft-2020-12' });
  return {
    $schema,
    $id: 'urn:drsoda:schema:pipeline-presets',
    title: 'drsoda pipeline presets: the 2dfdr idx file to use per preset and grating',
    ...rest,
  };
}
