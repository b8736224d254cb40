// Time and sky helpers for headers: MJD, epoch, local sidereal time at the AAT; pure.

export const AAT = { latDeg: -31.27704, lonDeg: 149.0661, altM: 1164 } as const;

/** MJD at 00:00 UT of a YYYY-MM-DD date. */
export function mjdOfDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86400000 + 40587;
}

/** Julian epoch in years. */
export function epochOf(mjd: number): number {
  return 2000 + (mjd - 51544.5) / 365.25;
}

/** Local mean sidereal time in degrees (IAU 1982 GMST, good to ~0.1 s for this purpose). */
export function lstDeg(mjd: number, lonDeg = AAT.lonDeg): number {
  const d = mjd - 51544.5;
  const gmst = 280.46061837 + 360.98564736629 * d;
  return (((gmst + lonDeg) % 360) + 360) % 360;
}

/** 'HH:MM:SS' of seconds after midnight. */
export function hms(seconds: number): string {
  const s = Math.round(seconds);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** AAT raw file name DDmmmCRRRR.fits (domain notes section 1). */
export function rawFileName(night: string, ccd: 1 | 2, run: number): string {
  const [, m, d] = night.split('-');
  return `${d}${months[Number(m) - 1]}${ccd}${String(run).padStart(4, '0')}.fits`;
}

/** Night directory YYMMDD. */
export function nightDir(night: string): string {
  return night.slice(2).replace(/-/g, '');
}

export const deg = Math.PI / 180;

/** Zenith distance in degrees of (raDeg, decDeg) from the AAT at mjd (mean place, no refraction). */
export function zenithDistanceDeg(raDeg: number, decDeg: number, mjd: number): number {
  const r = Math.PI / 180;
  const ha = (lstDeg(mjd) - raDeg) * r;
  const lat = AAT.latDeg * r;
  const cosZ = Math.sin(lat) * Math.sin(decDeg * r) + Math.cos(lat) * Math.cos(decDeg * r) * Math.cos(ha);
  return Math.acos(Math.max(-1, Math.min(1, cosZ))) / r;
}
