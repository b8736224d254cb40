// The Reduce dialog's form state and its one validation: what the user typed, box by box and in the units shown
// (nm for BAND, UTC date-times for TIME), turned into the SODA request, or into errors worded in those same units.
// Show plan and Submit both call buildRequest, so a request one accepts the other cannot refuse.
import type { DescriptorParam } from './api/datalink';
import { wordsFor } from './param-labels';

/** Each box of a parameter's control as typed ('' = empty); single-box parameters have one entry. */
export type Entries = Record<string, string[]>;

export type ParamKind = 'bool' | 'choice' | 'band' | 'time' | 'interval' | 'circle' | 'text';

export function kindOf(p: DescriptorParam): ParamKind {
  if (p.options.length) return p.datatype === 'boolean' ? 'bool' : 'choice';
  if (p.xtype === 'interval') return p.unit === 'm' ? 'band' : p.unit === 'd' && (p.ucd ?? '').startsWith('time') ? 'time' : 'interval';
  if (p.xtype === 'circle') return 'circle';
  return 'text';
}

export const boxCount = (k: ParamKind) => (k === 'circle' ? 3 : k === 'band' || k === 'time' || k === 'interval' ? 2 : 1);

/** A number for people: at most 6 significant digits, no float noise (6.000000000000001e-7 m shows as 600 nm). */
export const tidy = (x: number) => String(Number(x.toPrecision(6)));

// Decimal shifts on the string, so 420 nm is sent as exactly 4.2e-7 m (420 * 1e-9 would not be).
export const nmToMetres = (nm: string) => String(Number(`${nm.trim()}e-9`));
export const metresToNm = (m: string | number) => tidy(Number(m) * 1e9);

const MJD_UNIX_EPOCH = 40587;
/** 'YYYY-MM-DDTHH:MM:SS' (UTC) of an MJD, to the second. */
export function mjdToUtc(mjd: number): string {
  return new Date(Math.round((mjd - MJD_UNIX_EPOCH) * 86400) * 1000).toISOString().slice(0, 19);
}
/** MJD (6 decimals, 0.09 s) of a UTC date-time as datetime-local inputs give it; NaN when it is not one. */
export function utcToMjd(utc: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(utc.trim())) return NaN;
  const ms = Date.parse(`${utc.trim()}Z`);
  return Number.isFinite(ms) ? Number((ms / 86_400_000 + MJD_UNIX_EPOCH).toFixed(6)) : NaN;
}
/** '2014-09-26 10:00:00 UTC' for messages and hints. */
export const utcText = (utc: string) => `${utc.replace('T', ' ')} UTC`;

/** "lo hi" parts of a DALI value (missing parts are ''). */
export function daliParts(v: string, n: number): string[] {
  const xs = v.trim() ? v.trim().split(/\s+/) : [];
  return Array.from({ length: n }, (_, i) => xs[i] ?? '');
}

/** The boxes for a DALI value (the sky map gives CIRCLE values). */
export function entryOf(p: DescriptorParam, dali: string): string[] {
  const k = kindOf(p);
  const xs = daliParts(dali, boxCount(k));
  if (k === 'band') return xs.map((x) => (x ? metresToNm(x) : ''));
  if (k === 'time') return xs.map((x) => (x ? mjdToUtc(Number(x)) : ''));
  return boxCount(k) === 1 ? [dali] : xs;
}

/** The descriptor's domain of an interval in the units shown ([min, max], either may be null). */
export function shownDomain(p: DescriptorParam): [string | null, string | null] {
  const k = kindOf(p);
  const conv = (v: string | null) => (v === null || v === '' ? null : k === 'band' ? metresToNm(v) : k === 'time' ? mjdToUtc(Number(v)) : v);
  return [conv(p.min), conv(p.max)];
}

export interface FormProblem {
  name: string;
  message: string;
}

export interface BuiltRequest {
  request: Array<[string, string]>;
  problems: FormProblem[];
}

/** The value of a bool/choice parameter as the form shows it (the default when untouched). */
export const chosen = (p: DescriptorParam | undefined, entries: Entries) => (p ? entries[p.name]?.[0] || p.defaultValue || '' : '');

/** Splicing joins the two arms: with one arm chosen it cannot apply, and the form says so instead of sending it. */
export function spliceBlocked(params: DescriptorParam[], entries: Entries): boolean {
  const arms = params.find((p) => p.name === 'ARMS');
  return !!arms && !!params.find((p) => p.name === 'SPLICE') && chosen(arms, entries) !== 'both';
}

const isNum = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

/** One interval-like parameter: the DALI value, or the problem (worded in the units shown). */
function intervalValue(p: DescriptorParam, xs: string[], label: string): { value?: string; problem?: string } {
  const k = kindOf(p);
  const unit = k === 'band' ? ' nm' : k === 'interval' && p.unit ? ` ${p.unit}` : '';
  const show = (x: string) => (k === 'time' ? utcText(x) : `${tidy(Number(x))}${unit}`);
  const [from, to] = xs.map((x) => x.trim());
  if (!from && !to) return {};
  if (!from || !to) return { problem: `${label}: give both “from” and “to”, or leave both empty.` };
  const num = (x: string) => (k === 'time' ? utcToMjd(x) : isNum(x) ? Number(x) : NaN);
  const [lo, hi] = [num(from), num(to)];
  if (Number.isNaN(lo) || Number.isNaN(hi)) return { problem: `${label}: ${Number.isNaN(lo) ? `“${from}”` : `“${to}”`} is not ${k === 'time' ? 'a date and time' : 'a number'}.` };
  if (lo >= hi) return { problem: `${label}: “from” (${show(from)}) must be before “to” (${show(to)}).` };
  const [min, max] = shownDomain(p);
  const dom = (x: string | null) => (x === null ? NaN : k === 'time' ? utcToMjd(x) : Number(x));
  // The service clips to the data: only a range entirely outside it would select nothing.
  if ((min !== null && hi <= dom(min)) || (max !== null && lo >= dom(max)))
    return { problem: `${label}: ${show(from)} to ${show(to)} lies outside this data, which covers ${min === null ? '…' : show(min)} to ${max === null ? '…' : show(max)}.` };
  if (k === 'band') return { value: `${nmToMetres(from)} ${nmToMetres(to)}` };
  if (k === 'time') return { value: `${lo} ${hi}` };
  return { value: `${from} ${to}` };
}

function circleValue(xs: string[], label: string): { value?: string; problem?: string } {
  const t = xs.map((x) => x.trim());
  if (t.every((x) => !x)) return {};
  if (t.some((x) => !x)) return { problem: `${label}: give RA, Dec and radius, or leave all three empty.` };
  if (!t.every(isNum)) return { problem: `${label}: RA, Dec and radius must be numbers (degrees).` };
  const [ra, dec, r] = t.map(Number);
  if (ra < 0 || ra >= 360) return { problem: `${label}: RA ${tidy(ra)}° must be from 0 to 360°.` };
  if (dec < -90 || dec > 90) return { problem: `${label}: Dec ${tidy(dec)}° must be from −90 to 90°.` };
  if (r <= 0 || r > 180) return { problem: `${label}: the radius ${tidy(r)}° must be more than 0 and at most 180°.` };
  return { value: t.join(' ') };
}

/** The SODA request for the form (only what differs from the defaults), or what is wrong with it. */
export function buildRequest(ids: string[], params: DescriptorParam[], entries: Entries, runId: string): BuiltRequest {
  const request: Array<[string, string]> = ids.map((id) => ['ID', id]);
  const problems: FormProblem[] = [];
  if (!ids.length) problems.push({ name: 'ID', message: 'Nothing to reduce: select frames or fields first.' });
  const blocked = spliceBlocked(params, entries);
  for (const p of params) {
    const k = kindOf(p);
    const xs = entries[p.name] ?? [];
    const label = wordsFor(p.name).label;
    if (k === 'bool' || k === 'choice') {
      if (p.name === 'SPLICE' && blocked) continue;
      const v = xs[0] ?? '';
      if (v && v !== p.defaultValue) request.push([p.name, v]);
      continue;
    }
    const r = k === 'circle' ? circleValue(xs, label) : k === 'text' ? { value: (xs[0] ?? '').trim() || undefined } : intervalValue(p, xs, label);
    if (r.problem) problems.push({ name: p.name, message: r.problem });
    else if (r.value) request.push([p.name, r.value]);
  }
  if (runId.trim()) request.push(['RUNID', runId.trim()]);
  return { request, problems };
}
