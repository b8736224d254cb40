// The SODA parameters drsoda offers, declared once: the request parser validates against them and the DataLink
// service descriptors / VOSI capabilities render them (ivoa-notes §4 three-factor semantics, §5.3 descriptors).
import type { CutFormat } from '../cutout/filters.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planOptionsSchema } from '../planner/options.js';
import { defaultPresetsFile, parsePipelinePresets, type PipelinePresets } from '../planner/presets.js';

export interface SodaParamDecl {
  name: string;
  datatype: 'char' | 'double' | 'boolean' | 'int';
  arraysize?: string;
  xtype?: string;
  unit?: string;
  ucd?: string;
  description: string;
  /** Enumerated allowed values (rendered as VALUES/OPTION value="…"). */
  options?: string[];
  default?: string;
  /** Per-element bounds (rendered as VALUES/MIN and MAX; for circle/polygon only MAX, a covering shape). */
  min?: string;
  max?: string;
  /** True when the parameter may be given more than once (async: one result per value, SODA §3.4). */
  multiValued: boolean;
}

/** Wavelength coverage of the AAOmega spectrograph (both arms), metres: the domain hint for BAND. */
export const aaomegaBandMetres = { min: 3.7e-7, max: 9.5e-7 } as const;

/** SODA 1.0 response formats and the DALI short forms that mean them (DALI §3.3.3). */
export const responseFormats = {
  'application/fits': 'application/fits',
  fits: 'application/fits',
  'image/fits': 'application/fits',
  'application/x-votable+xml': 'application/x-votable+xml',
  votable: 'application/x-votable+xml',
  'text/xml': 'application/x-votable+xml',
} as const;

export type SodaFormat = CutFormat;

// The option enumerations and defaults come from the planner's zod schema, so the descriptor cannot drift from
// what the planner accepts.
const shape = planOptionsSchema.shape;
const enumValues = (s: { unwrap(): { options: readonly string[] } }) => [...s.unwrap().options];
const defaults = planOptionsSchema.parse({});

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The committed pipeline presets (schemas/pipeline-presets.json), read once: IDX_PRESET's allowed values. */
export const committedPresets: PipelinePresets = parsePipelinePresets(
  JSON.parse(readFileSync(path.join(projectRoot, defaultPresetsFile), 'utf8')),
);

/** The declarations for a given presets document (tests and alternative deployments pass their own). */
export function sodaParameterDecls(presets: PipelinePresets): SodaParamDecl[] {
  const bool = (name: string, def: boolean, description: string): SodaParamDecl => ({
    name, datatype: 'boolean', ucd: 'meta.code', description, options: ['true', 'false'], default: String(def), multiValued: false,
  });
  return [
    { name: 'ID', datatype: 'char', arraysize: '*', ucd: 'meta.id;meta.main', multiValued: true,
      description: 'Publisher DID of a raw frame (an object frame is reduced with the calibrations the planner matches; a calibration frame gets its own reduction) or of a field/night (all object frames of one 2dF configuration). Required; repeatable, each ID gives its own results.' },
    { name: 'POS', datatype: 'char', arraysize: '*', ucd: 'pos.outline;obs', multiValued: true,
      description: 'Keep only fibres whose targets fall inside: "CIRCLE ra dec r", "RANGE ra1 ra2 dec1 dec2" or "POLYGON ra1 dec1 ra2 dec2 ra3 dec3 ..." (ICRS degrees).' },
    { name: 'CIRCLE', datatype: 'double', arraysize: '3', xtype: 'circle', unit: 'deg', ucd: 'pos.outline;obs', multiValued: true,
      description: 'Keep only fibres whose targets fall inside the circle "ra dec radius" (ICRS degrees).' },
    { name: 'POLYGON', datatype: 'double', arraysize: '*', xtype: 'polygon', unit: 'deg', ucd: 'pos.outline;obs', multiValued: true,
      description: 'Keep only fibres whose targets fall inside the polygon "ra1 dec1 ra2 dec2 ra3 dec3 ..." (ICRS degrees, at least 3 vertices).' },
    { name: 'BAND', datatype: 'double', arraysize: '2', xtype: 'interval', unit: 'm', ucd: 'em.wl;stat.interval', multiValued: true,
      min: String(aaomegaBandMetres.min), max: String(aaomegaBandMetres.max),
      description: 'Trim the reduced spectra to this wavelength interval "lo hi" (metres); clipped to the data.' },
    { name: 'TIME', datatype: 'double', arraysize: '2', xtype: 'interval', unit: 'd', ucd: 'time.interval;obs.exposure', multiValued: false,
      description: 'For field/night IDs: only object frames whose exposure overlaps this interval "lo hi" (MJD UTC).' },
    { name: 'RESPONSEFORMAT', datatype: 'char', arraysize: '*', ucd: 'meta.code.mime', multiValued: false,
      options: ['application/fits', 'application/x-votable+xml'], default: 'application/fits',
      description: 'application/fits: the 2dFdr-style reduced/combined/spliced file cut to the fibres and band asked for; application/x-votable+xml: one row per fibre with wavelength, flux and variance arrays.' },
    { name: 'ARMS', datatype: 'char', arraysize: '*', ucd: 'meta.code', multiValued: false,
      options: enumValues(shape.arms), default: defaults.arms,
      description: 'AAOmega arms to reduce: blue, red or both.' },
    bool('COMBINE', defaults.combine, 'Combine the object frames of one field (night, configuration, plate, arm).'),
    bool('SPLICE', defaults.splice, 'Splice the blue and red products of the same exposure or field.'),
    bool('SKYSUB', defaults.skySubtraction, 'Subtract the sky measured in the sky fibres.'),
    { name: 'EXTRACTION', datatype: 'char', arraysize: '*', ucd: 'meta.code', multiValued: false,
      options: enumValues(shape.extraction), default: defaults.extraction,
      description: '2dfdr extraction method (-EXTR_OPERATION) for fibre flats, offset skies and objects.' },
    { name: 'THROUGHPUT', datatype: 'char', arraysize: '*', ucd: 'meta.code', multiValued: false,
      options: enumValues(shape.throughput), default: defaults.throughput,
      description: 'Fibre throughput calibration (-TPMETH); OFFSKY falls back to SKYFLUX(MED) without an offset-sky frame; NONE switches it off.' },
    { name: 'IDX_PRESET', datatype: 'char', arraysize: '*', ucd: 'meta.code', multiValued: false,
      options: Object.keys(presets.presets).sort(), default: presets.defaultPreset,
      description: 'Pipeline preset: the 2dfdr idx parameters used per grating.' },
  ];
}

/** Every parameter drsoda's SODA endpoints accept, in descriptor order. */
export const sodaParameters: readonly SodaParamDecl[] = Object.freeze(sodaParameterDecls(committedPresets));

/** Reduction-option parameter names (the ones after RESPONSEFORMAT), for descriptors that group them. */
export const reductionOptionNames = ['ARMS', 'COMBINE', 'SPLICE', 'SKYSUB', 'EXTRACTION', 'THROUGHPUT', 'IDX_PRESET'] as const;
