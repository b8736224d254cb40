// HTTP Range (RFC 9110 section 14) and conditional-request evaluation for file downloads; pure.

export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Interprets a Range header for a representation of size bytes. Only one byte range is served: a
 * request for several is answered with the whole file, which RFC 9110 section 14.2 permits ("a server
 * MAY ignore the Range header field"). A syntactically invalid header is ignored the same way.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (!header) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return { kind: 'full' };
  const specs = m[1].split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length !== 1) return { kind: 'full' };
  const r = /^(\d*)-(\d*)$/.exec(specs[0]);
  if (!r || (r[1] === '' && r[2] === '')) return { kind: 'full' };
  if (r[1] === '') {
    // Suffix range: the last N bytes (section 14.1.2); N = 0 cannot be satisfied.
    const n = Number(r[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(r[1]);
  const last = r[2] === '' ? size - 1 : Number(r[2]);
  if (r[2] !== '' && last < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}

/** Validators of the current representation. */
export interface Validators {
  /** Full ETag including quotes and an optional W/ prefix. */
  etag: string;
  lastModified: Date;
}

const opaque = (tag: string) => tag.replace(/^W\//, '');
const isWeak = (tag: string) => tag.startsWith('W/');
const tags = (h: string) => h.split(',').map((s) => s.trim()).filter(Boolean);
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function httpDate(h: string | undefined): number | undefined {
  if (!h) return undefined;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

export type Precondition = 'proceed' | 'not-modified' | 'failed';

/**
 * RFC 9110 section 13.2.2 evaluation order for GET/HEAD: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since
 * (the date conditions only for a representation with a Last-Modified).
 */
export function evaluatePreconditions(h: Record<string, string | undefined>, v: Pick<Validators, 'etag'> & Partial<Validators>): Precondition {
  const ifMatch = h['if-match'];
  if (ifMatch !== undefined) {
    // Strong comparison (section 13.1.1): a weak tag never matches.
    const ok = ifMatch.trim() === '*' || (!isWeak(v.etag) && tags(ifMatch).some((t) => !isWeak(t) && t === v.etag));
    if (!ok) return 'failed';
  } else {
    const ius = httpDate(h['if-unmodified-since']);
    if (ius !== undefined && v.lastModified && seconds(v.lastModified) > ius) return 'failed';
  }
  const inm = h['if-none-match'];
  if (inm !== undefined) {
    // Weak comparison (section 13.1.2).
    if (inm.trim() === '*' || tags(inm).some((t) => opaque(t) === opaque(v.etag))) return 'not-modified';
  } else {
    const ims = httpDate(h['if-modified-since']);
    if (ims !== undefined && v.lastModified && seconds(v.lastModified) <= ims) return 'not-modified';
  }
  return 'proceed';
}

/** If-Range (section 13.1.5): the Range applies only when the validator still matches, strongly. */
export function ifRangeAllows(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const t = ifRange.trim();
  if (t.startsWith('"') || t.startsWith('W/')) return !isWeak(t) && !isWeak(v.etag) && t === v.etag;
  const d = httpDate(t);
  return d !== undefined && seconds(v.lastModified) === d;
}
