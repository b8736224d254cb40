// Sky coordinates as users type and read them: decimal degrees, or sexagesimal RA (hours) and Dec (degrees).

/** "53.4015 -36.1404", "53.4015, -36.1404" or "03:33:36.4 -36:08:25.4" (also space-separated fields) -> degrees; else null. */
export function parseCoords(text: string): { ra: number; dec: number } | null {
  const t = text.trim().replace(/,/g, ' ');
  const deg = /^([+]?\d+(?:\.\d*)?)\s+([+-]?\d+(?:\.\d*)?)$/.exec(t);
  if (deg) {
    const ra = Number(deg[1]);
    const dec = Number(deg[2]);
    return ra <= 360 && Math.abs(dec) <= 90 ? { ra, dec } : null;
  }
  const sexa = /^(\d{1,2})[:h\s]\s*(\d{1,2})[:m\s]\s*(\d{1,2}(?:\.\d*)?)s?\s+([+-]?)(\d{1,2})[:d°\s]\s*(\d{1,2})[:'m\s]\s*(\d{1,2}(?:\.\d*)?)["s]?$/.exec(t);
  if (!sexa) return null;
  const [h, m, s, sign, d, dm, ds] = [Number(sexa[1]), Number(sexa[2]), Number(sexa[3]), sexa[4], Number(sexa[5]), Number(sexa[6]), Number(sexa[7])];
  if (h >= 24 || m >= 60 || s >= 60 || d > 90 || dm >= 60 || ds >= 60) return null;
  const dec = (sign === '-' ? -1 : 1) * (d + dm / 60 + ds / 3600);
  return Math.abs(dec) <= 90 ? { ra: 15 * (h + m / 60 + s / 3600), dec } : null;
}

const pad = (n: number, w: number, digits = 0) => n.toFixed(digits).padStart(w + (digits ? digits + 1 : 0), '0');

/** RA degrees -> "03:33:36.36". */
export function raHms(deg: number): string {
  let s = (((deg % 360) + 360) % 360) / 15 * 3600;
  s = Math.round(s * 100) / 100;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${pad(h % 24, 2)}:${pad(m, 2)}:${pad(s - h * 3600 - m * 60, 2, 2)}`;
}

/** Dec degrees -> "-36:08:25.4". */
export function decDms(deg: number): string {
  const sign = deg < 0 ? '-' : '+';
  let s = Math.round(Math.abs(deg) * 36000) / 10;
  const d = Math.floor(s / 3600);
  s -= d * 3600;
  const m = Math.floor(s / 60);
  return `${sign}${pad(d, 2)}:${pad(m, 2)}:${pad(s - m * 60, 2, 1)}`;
}

export const degrees = (v: number | null | undefined, digits = 5) => (v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
