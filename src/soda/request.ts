// A SODA request from DALI parameters (sync query/body or async job parameters): validated against the declared
// parameters (parameters.ts), with one value per spatial region and per band; pure.
import type { PlanOptionsInput } from '../planner/options.js';
import { ServiceError, usageError } from '../errors.js';
import type { BandFilter, SpatialFilter } from '../cutout/filters.js';
import { responseFormats, sodaParameters, type SodaFormat, type SodaParamDecl } from './parameters.js';
import { parseBoolean, parseCircle, parseInterval, parsePolygon, parsePos, quoteValue } from './values.js';

export interface SodaRequest {
  /** Distinct IDs in request order. */
  ids: string[];
  /** Alternative regions (one result per value); empty means every fibre. */
  spatial: SpatialFilter[];
  /** Alternative bands (one result per value); empty means the whole spectrum. */
  bands: BandFilter[];
  /** MJD interval selecting object exposures; undefined means any time. */
  timeMjd?: [number, number];
  format: SodaFormat;
  options: PlanOptionsInput;
}

export type SodaMode = 'sync' | 'async';

/** UWS job kinds: /soda/async jobs, and the hidden jobs that carry /soda/sync reductions. */
export const SODA_ASYNC_KIND = 'soda';
export const SODA_SYNC_KIND = 'soda-sync';

export interface ParamLike {
  name: string;
  value: string;
}

/** Request-size limits: each ID x region x band combination is a cut file. */
export const limits = { ids: 100, spatial: 20, bands: 20, results: 2000 } as const;

/** Names a client may send that are not SODA parameters but are harmless (DALI/UWS leftovers). */
const ignored = new Set(['RUNID', 'REQUEST', 'VERSION', 'MAXREC']);

const decls = new Map<string, SodaParamDecl>(sodaParameters.map((d) => [d.name, d]));

const multiValued = (name: string, mode: SodaMode) =>
  new ServiceError('MultiValuedParamNotSupported', `${name} may be given only once${mode === 'sync' ? ' in a synchronous request; use /soda/async for several values' : ''}`);

/** An enumerated value, matched case-insensitively and returned in its declared spelling. */
function option(d: SodaParamDecl, v: string): string {
  const hit = d.options!.find((o) => o.toLowerCase() === v.trim().toLowerCase());
  if (hit === undefined) throw usageError(`${d.name}: ${quoteValue(v)} is not one of ${d.options!.join(', ')}`);
  return hit;
}

function format(v: string): SodaFormat {
  // MIME parameters (";serialization=...") do not change what we send (DALI 3.3.3 compares the media type).
  const key = v.split(';')[0].trim().toLowerCase();
  const f = (responseFormats as Record<string, SodaFormat>)[key];
  if (!f) throw usageError(`RESPONSEFORMAT: ${quoteValue(v)} is not supported; use application/fits (fits) or application/x-votable+xml (votable)`);
  return f;
}

/**
 * Parses and validates every parameter. Throws UsageError naming the parameter for unknown names, malformed
 * values and POL; MultiValuedParamNotSupported for repeated single-valued parameters (and, in sync mode, for
 * anything that would give more than one result).
 */
export function parseSodaRequest(params: readonly ParamLike[], mode: SodaMode): SodaRequest {
  const by = new Map<string, string[]>();
  for (const p of params) {
    const name = p.name.toUpperCase();
    if (name === 'POL') throw usageError('POL: polarization is not offered by this service (2dF-AAOmega spectra are unpolarized)');
    if (ignored.has(name)) continue;
    if (!decls.has(name)) throw usageError(`unknown parameter ${name}; this service takes ${[...decls.keys()].join(', ')}`);
    by.set(name, [...(by.get(name) ?? []), p.value]);
  }
  const all = (name: string) => by.get(name) ?? [];
  const one = (name: string) => {
    const vs = all(name);
    // Always single-valued (TIME, RESPONSEFORMAT and the reduction options), in sync and async alike.
    if (vs.length > 1) throw multiValued(name, 'async');
    return vs[0];
  };

  const ids = [...new Set(all('ID').map((v) => v.trim()))];
  if (ids.length === 0 || ids.some((id) => id === '')) throw usageError('ID: at least one non-empty ID is required (the publisher DID of a raw frame, field or night)');
  // POS, CIRCLE and POLYGON are alternative values of one spatial axis, kept in request order (ivoa-notes 4).
  const spatial: SpatialFilter[] = [];
  for (const p of params) {
    const name = p.name.toUpperCase();
    if (name === 'POS') spatial.push({ param: 'POS', value: p.value, region: parsePos(p.value) });
    else if (name === 'CIRCLE') spatial.push({ param: 'CIRCLE', value: p.value, region: parseCircle('CIRCLE', p.value) });
    else if (name === 'POLYGON') spatial.push({ param: 'POLYGON', value: p.value, region: parsePolygon('POLYGON', p.value) });
  }
  const bands = all('BAND').map((value) => ({ value, metres: parseInterval('BAND', value) }));
  if (mode === 'sync') {
    if (ids.length > 1) throw multiValued('ID', mode);
    if (spatial.length > 1) throw multiValued(spatial.map((s) => s.param).join(' and '), mode);
    if (bands.length > 1) throw multiValued('BAND', mode);
  }
  if (ids.length > limits.ids) throw usageError(`ID: at most ${limits.ids} IDs per request`);
  if (spatial.length > limits.spatial) throw usageError(`POS, CIRCLE and POLYGON: at most ${limits.spatial} regions per request`);
  if (bands.length > limits.bands) throw usageError(`BAND: at most ${limits.bands} bands per request`);

  const time = one('TIME');
  const fmt = one('RESPONSEFORMAT');
  const options: PlanOptionsInput = {};
  const arms = one('ARMS');
  if (arms !== undefined) options.arms = option(decls.get('ARMS')!, arms) as PlanOptionsInput['arms'];
  const bool = (name: string) => {
    const v = one(name);
    return v === undefined ? undefined : parseBoolean(name, v);
  };
  const combine = bool('COMBINE');
  const splice = bool('SPLICE');
  const skySubtraction = bool('SKYSUB');
  if (combine !== undefined) options.combine = combine;
  if (splice !== undefined) options.splice = splice;
  if (skySubtraction !== undefined) options.skySubtraction = skySubtraction;
  const extraction = one('EXTRACTION');
  if (extraction !== undefined) options.extraction = option(decls.get('EXTRACTION')!, extraction) as PlanOptionsInput['extraction'];
  const throughput = one('THROUGHPUT');
  if (throughput !== undefined) options.throughput = option(decls.get('THROUGHPUT')!, throughput) as PlanOptionsInput['throughput'];
  const preset = one('IDX_PRESET');
  if (preset !== undefined) options.idxPreset = option(decls.get('IDX_PRESET')!, preset);

  return {
    ids,
    spatial,
    bands,
    ...(time === undefined ? {} : { timeMjd: parseInterval('TIME', time) }),
    format: fmt === undefined ? 'application/fits' : format(fmt),
    options,
  };
}

/**
 * The SODA parameters among a job's stored ones. Wrappers around the runner (PRIORITY, NOTIFY_URL, ...) check
 * and strip their own parameters before the runner sees them, but the store keeps them all: whoever reads
 * parameters back from a job (the publisher) takes only these.
 */
export function sodaOnly<P extends ParamLike>(params: readonly P[]): P[] {
  return params.filter((p) => decls.has(p.name.toUpperCase()) || p.name.toUpperCase() === 'POL');
}

/** How many result files the request gives per product (SODA 1.0 section 3.4 multiplicity). */
export const cutsPerProduct = (r: SodaRequest) => Math.max(1, r.spatial.length) * Math.max(1, r.bands.length);
