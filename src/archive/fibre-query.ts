// Parameters of GET /api/fibres (target search) -> a FibreSearch; pure, throws UsageError naming the parameter.
import { usageError } from '../errors.js';
import type { FibreSearch } from '../store/fibre-search-store.js';

export const fibreQueryParams = ['name', 'match', 'ra', 'dec', 'sr', 'limit'] as const;
export const FIBRE_DEFAULT_LIMIT = 100;
export const FIBRE_MAX_LIMIT = 1000;
/** Largest cone radius, degrees: twice the 2dF field radius, enough to find every fibre of a field. */
export const MAX_SR_DEG = 2;
/** Substring search needs a trigram (three characters) to use its index. */
export const MIN_SUBSTRING = 3;

type Raw = Record<string, string | string[] | undefined>;

function single(raw: Raw, name: string): string | undefined {
  const v = raw[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length > 1) throw usageError(`${name.toUpperCase()} takes one value`);
  return list[0] === undefined ? undefined : String(list[0]).trim();
}

function degrees(raw: Raw, name: string, lo: number, hi: number, loOpen = false): number {
  const s = single(raw, name) ?? '';
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || n > hi || (loOpen ? n <= lo : n < lo)) {
    throw usageError(`${name.toUpperCase()} must be a number of degrees in ${loOpen ? '(' : '['}${lo}, ${hi}] (got ${JSON.stringify(s)})`);
  }
  return n;
}

/** Builds the search from parameters whose names are already lower-cased; unknown names are refused. */
export function parseFibreQuery(raw: Raw): FibreSearch {
  const unknown = Object.keys(raw).filter((k) => !(fibreQueryParams as readonly string[]).includes(k));
  if (unknown.length) throw usageError(`unknown parameter ${unknown[0].toUpperCase()}; this search takes ${fibreQueryParams.map((p) => p.toUpperCase()).join(', ')}`);
  const q: FibreSearch = { limit: FIBRE_DEFAULT_LIMIT };
  const name = single(raw, 'name');
  const match = (single(raw, 'match') ?? 'substring').toLowerCase();
  if (match !== 'substring' && match !== 'prefix' && match !== 'exact') throw usageError(`MATCH must be substring, prefix or exact (got ${JSON.stringify(match)})`);
  if (name !== undefined) {
    if (!name) throw usageError('NAME must not be empty');
    if (name.length > 80) throw usageError('NAME is longer than a 2dF fibre name (80 characters)');
    if (match === 'substring' && name.length < MIN_SUBSTRING) {
      throw usageError(`NAME needs at least ${MIN_SUBSTRING} characters for a substring search (or MATCH=prefix)`);
    }
    q.name = { text: name, match };
  } else if (raw.match !== undefined) throw usageError('MATCH needs NAME');
  const given = (['ra', 'dec', 'sr'] as const).filter((k) => raw[k] !== undefined);
  if (given.length && given.length < 3) throw usageError('a cone needs RA, DEC and SR together (degrees, ICRS)');
  if (given.length === 3) {
    const ra = degrees(raw, 'ra', 0, 360);
    const dec = degrees(raw, 'dec', -90, 90);
    const sr = degrees(raw, 'sr', 0, MAX_SR_DEG, true);
    const rad = Math.PI / 180;
    q.cone = { raRad: (ra % 360) * rad, decRad: dec * rad, radiusRad: sr * rad };
  }
  if (!q.name && !q.cone) throw usageError('give NAME (an object name) or RA, DEC and SR (a cone, degrees)');
  const limit = single(raw, 'limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > FIBRE_MAX_LIMIT) throw usageError(`LIMIT must be an integer from 1 to ${FIBRE_MAX_LIMIT} (got ${JSON.stringify(limit)})`);
    q.limit = n;
  }
  return q;
}
