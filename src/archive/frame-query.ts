// Listing parameters (HTTP query or CLI options) -> FrameFilter and paging; pure, throws UsageError.
import { usageError } from '../errors.js';
import type { FrameFilter } from '../store/frame-store.js';
import { fieldOfCfg, isNight } from './dids.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface FrameQuery {
  filter: FrameFilter;
  limit: number;
  offset: number;
}

/** Parameter names of GET /api/frames, lower-case (names are matched case-insensitively, as DALI does). */
export const frameQueryParams = ['night', 'arm', 'ccd', 'class', 'field', 'object', 'limit', 'offset'] as const;

type Raw = Record<string, string | string[] | undefined>;

/** Every value of a repeated or comma-separated parameter, trimmed, empty ones dropped. */
function values(raw: Raw, name: string): string[] {
  const v = raw[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
}

function single(raw: Raw, name: string): string | undefined {
  const v = values(raw, name);
  if (v.length > 1) throw usageError(`${name} takes one value`);
  return v[0];
}

function integer(raw: Raw, name: string, min: number, max: number, dflt: number): number {
  const s = single(raw, name);
  if (s === undefined) return dflt;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < min || n > max) throw usageError(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(s)})`);
  return n;
}

/** 'blue' | 'red' | 'ccd1' | 'ccd2' | '1' | '2' -> the CCD number. */
export function parseArm(s: string): 1 | 2 {
  const v = s.toLowerCase();
  if (v === 'blue' || v === '1' || v === 'ccd1' || v === 'b') return 1;
  if (v === 'red' || v === '2' || v === 'ccd2' || v === 'r') return 2;
  throw usageError(`arm must be blue or red (got ${JSON.stringify(s)})`);
}

/**
 * Builds the query from parameters whose names are already lower-cased. Unknown names are refused, so
 * a misspelt filter is not silently ignored.
 */
export function parseFrameQuery(raw: Raw): FrameQuery {
  const unknown = Object.keys(raw).filter((k) => !(frameQueryParams as readonly string[]).includes(k));
  if (unknown.length) throw usageError(`unknown parameter ${unknown[0]}; known: ${frameQueryParams.join(', ')}`);
  const night = values(raw, 'night');
  for (const n of night) if (!isNight(n)) throw usageError(`night must be a date YYYY-MM-DD (got ${JSON.stringify(n)})`);
  const ccd = [...values(raw, 'arm'), ...values(raw, 'ccd')].map(parseArm);
  return {
    filter: {
      night,
      ccd: [...new Set(ccd)],
      ndfClass: values(raw, 'class').map((c) => c.toUpperCase()),
      field: values(raw, 'field').map(fieldOfCfg),
      object: values(raw, 'object'),
    },
    limit: integer(raw, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: integer(raw, 'offset', 0, 1e9, 0),
  };
}

/** Lower-cases parameter names, merging repeats of one name written in different cases. */
export function lowerCaseParams(q: Record<string, unknown>): Raw {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(q)) {
    const list = Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
    (out[k.toLowerCase()] ??= []).push(...list);
  }
  return out;
}
