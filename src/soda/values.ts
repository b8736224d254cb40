// DALI 1.1 literal values of the SODA parameters: numbers, intervals, circles, polygons, POS shapes and booleans;
// pure. Every parser throws UsageError naming the parameter and quoting (a prefix of) the bad value.
import { usageError } from '../errors.js';
import { normRa, preparePolygon, type Region } from '../cutout/geometry.js';

const shown = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);

/** VOTable/DALI number syntax plus the spellings pyvo and numpy print (inf, -inf, nan). */
export function parseNumber(name: string, token: string, whole = token): number {
  const t = token.trim();
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw usageError(`${name}: ${shown(token)} is not a number (in ${shown(whole)})`);
  return Number(t);
}

function numbers(name: string, v: string): number[] {
  const tokens = v.trim().split(/\s+/).filter(Boolean);
  return tokens.map((t) => parseNumber(name, t, v));
}

/** DALI interval "lo hi" (open ends as -Inf/+Inf); lo must not exceed hi and neither may be NaN. */
export function parseInterval(name: string, v: string): [number, number] {
  const n = numbers(name, v);
  if (n.length !== 2) throw usageError(`${name}: an interval needs two numbers "lo hi" (got ${shown(v)})`);
  if (n.some(Number.isNaN)) throw usageError(`${name}: NaN is not a valid bound (got ${shown(v)})`);
  if (n[0] > n[1]) throw usageError(`${name}: the lower bound exceeds the upper bound (got ${shown(v)})`);
  return [n[0], n[1]];
}

function checkLatitude(name: string, dec: number, v: string): void {
  if (!(dec >= -90 && dec <= 90)) throw usageError(`${name}: latitude ${dec} is outside [-90, 90] (in ${shown(v)})`);
}

function checkLongitude(name: string, ra: number, v: string): void {
  if (!Number.isFinite(ra)) throw usageError(`${name}: longitude ${ra} is not finite (in ${shown(v)})`);
}

function circleOf(name: string, n: number[], v: string): Region {
  if (n.length !== 3) throw usageError(`${name}: a circle needs three numbers "ra dec radius" (got ${shown(v)})`);
  const [ra, dec, r] = n;
  checkLongitude(name, ra, v);
  checkLatitude(name, dec, v);
  if (!(r > 0 && r <= 180)) throw usageError(`${name}: the radius must be in (0, 180] degrees (got ${shown(v)})`);
  return { shape: 'circle', raDeg: normRa(ra), decDeg: dec, radiusDeg: r };
}

function polygonOf(name: string, n: number[], v: string): Region {
  if (n.length < 6 || n.length % 2) throw usageError(`${name}: a polygon needs at least three "ra dec" pairs (got ${shown(v)})`);
  const vertices: Array<[number, number]> = [];
  for (let i = 0; i < n.length; i += 2) {
    checkLongitude(name, n[i], v);
    checkLatitude(name, n[i + 1], v);
    vertices.push([normRa(n[i]), n[i + 1]]);
  }
  if (!preparePolygon(vertices)) throw usageError(`${name}: polygons must fit in a hemisphere (got ${shown(v)})`);
  return { shape: 'polygon', vertices };
}

function rangeOf(name: string, n: number[], v: string): Region {
  if (n.length !== 4) throw usageError(`${name}: RANGE needs four numbers "ra1 ra2 dec1 dec2" (got ${shown(v)})`);
  if (n.some(Number.isNaN)) throw usageError(`${name}: NaN is not a valid bound (got ${shown(v)})`);
  const [ra1, ra2, dec1, dec2] = n;
  if (ra1 > ra2 || dec1 > dec2) throw usageError(`${name}: RANGE bounds must be ordered low high (got ${shown(v)})`);
  if (dec1 > 90 || dec2 < -90) throw usageError(`${name}: RANGE latitudes do not meet [-90, 90] (got ${shown(v)})`);
  return { shape: 'range', ra: [ra1, ra2], dec: [Math.max(dec1, -90), Math.min(dec2, 90)] };
}

/** CIRCLE parameter: "ra dec radius" in ICRS degrees. */
export function parseCircle(name: string, v: string): Region {
  return circleOf(name, numbers(name, v), v);
}

/** POLYGON parameter: "ra1 dec1 ra2 dec2 ra3 dec3 ..." in ICRS degrees. */
export function parsePolygon(name: string, v: string): Region {
  return polygonOf(name, numbers(name, v), v);
}

/** POS parameter (SODA 1.0 section 3.3.2): CIRCLE, RANGE or POLYGON followed by its numbers; the keyword is case-sensitive. */
export function parsePos(v: string): Region {
  const m = /^\s*(\S+)\s*(.*)$/s.exec(v);
  const shape = m?.[1] ?? '';
  const rest = m?.[2] ?? '';
  switch (shape) {
    case 'CIRCLE':
      return circleOf('POS', numbers('POS', rest), v);
    case 'RANGE':
      return rangeOf('POS', numbers('POS', rest), v);
    case 'POLYGON':
      return polygonOf('POS', numbers('POS', rest), v);
    default:
      throw usageError(`POS: unknown shape ${shown(shape)}; use CIRCLE, RANGE or POLYGON (got ${shown(v)})`);
  }
}

/** DALI boolean: true/false/1/0 (case-insensitive, as VOTable reads them). */
export function parseBoolean(name: string, v: string): boolean {
  const b = v.trim().toLowerCase();
  if (b === 'true' || b === '1' || b === 't') return true;
  if (b === 'false' || b === '0' || b === 'f') return false;
  throw usageError(`${name}: must be true or false (got ${shown(v)})`);
}

export { shown as quoteValue };
