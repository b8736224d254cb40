// The dataset-specific SODA descriptor behind a #proc link: ID fixed to the dataset, every other SODA parameter
// a user parameter with the dataset's own domain (covering circle and polygon of the field's fibres, the arms'
// wavelength range, the exposures' time span) where it is known; pure.
import type { Fibre, FrameRecord } from '../domain/frame.js';
import { serviceDescriptor, sodaInputParams, sodaSyncStandardId, type ParamHints, type SodaParamDecl } from '../vo/service-descriptor.js';

const deg = Math.PI / 180;
/** 2dF's field radius is 1 degree; used when a frame has no usable fibre positions. */
const TWO_DF_RADIUS_DEG = 1.05;

/** Angular distance in degrees (haversine: stable for the small separations of one field). */
function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s = Math.sin(((dec2 - dec1) * deg) / 2) ** 2 + Math.cos(dec1 * deg) * Math.cos(dec2 * deg) * Math.sin(((ra2 - ra1) * deg) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / deg;
}

const fixed = (x: number, digits: number) => Number(x.toFixed(digits)).toString();

/** A circle (ra, dec, radius in degrees) holding every fibre with a position, centred on the field centre. */
export function coveringCircle(frame: FrameRecord, fibres: readonly Fibre[]): [number, number, number] | null {
  const pos = fibres.filter((f) => Number.isFinite(f.raRad) && Number.isFinite(f.decRad)).map((f) => [f.raRad / deg, f.decRad / deg] as const);
  let ra = frame.meanRaDeg;
  let dec = frame.meanDecDeg;
  if (ra === null || dec === null) {
    if (!pos.length) return null;
    // Mean of unit vectors: right across RA = 0.
    const v = pos.reduce((a, [r, d]) => [a[0] + Math.cos(d * deg) * Math.cos(r * deg), a[1] + Math.cos(d * deg) * Math.sin(r * deg), a[2] + Math.sin(d * deg)], [0, 0, 0]);
    ra = (Math.atan2(v[1], v[0]) / deg + 360) % 360;
    dec = Math.atan2(v[2], Math.hypot(v[0], v[1])) / deg;
  }
  // Rounded up by a hair so that rounding the centre cannot leave an edge fibre outside.
  const r = pos.length ? Math.max(...pos.map(([a, b]) => separationDeg(ra!, dec!, a, b))) + 0.001 : TWO_DF_RADIUS_DEG;
  return [ra, dec, Math.min(r, 180)];
}

/** An octagon around the circle, counter-clockwise in (ra, dec) as DALI polygons are (DALI 1.1 section 3.3.7). */
export function coveringPolygon([ra, dec, r]: [number, number, number]): number[] {
  const out: number[] = [];
  const R = r / Math.cos(Math.PI / 8); // circumscribed: the octagon's edges touch the circle
  for (let k = 0; k < 8; k++) {
    const t = (k * Math.PI) / 4;
    const d = Math.max(-90, Math.min(90, dec + R * Math.sin(t)));
    const a = (ra + (R * Math.cos(t)) / Math.max(Math.cos(dec * deg), 1e-6) + 360) % 360;
    out.push(Number(a.toFixed(5)), Number(d.toFixed(5)));
  }
  return out;
}

/** The wavelength range (metres) the frames' arms cover: central wavelength +- half the detector width. */
export function bandOf(frames: readonly FrameRecord[]): [number, number] | null {
  const spans = frames
    .filter((f) => f.lambdaCAngstrom > 0 && f.dispersionAngstromPerPx && f.naxis1 > 0)
    .map((f) => [f.lambdaCAngstrom - (Math.abs(f.dispersionAngstromPerPx) * f.naxis1) / 2, f.lambdaCAngstrom + (Math.abs(f.dispersionAngstromPerPx) * f.naxis1) / 2]);
  if (!spans.length) return null;
  return [Math.min(...spans.map((s) => s[0])) * 1e-10, Math.max(...spans.map((s) => s[1])) * 1e-10];
}

/** The span (MJD) of the frames' exposures. */
export function timeOf(frames: readonly FrameRecord[]): [number, number] | null {
  const t = frames.filter((f) => Number.isFinite(f.utMjd));
  if (!t.length) return null;
  return [Math.min(...t.map((f) => f.utMjd)), Math.max(...t.map((f) => f.utMjd + f.exposedS / 86400))];
}

/** Domain hints for one dataset: `frames` are what the reduction reads (both arms), `fibres` one frame's table. */
export function datasetHints(frames: readonly FrameRecord[], fibres: readonly Fibre[]): Record<string, ParamHints> {
  const hints: Record<string, ParamHints> = {};
  const circle = frames.length ? coveringCircle(frames[0], fibres) : null;
  if (circle) {
    hints.CIRCLE = { max: `${fixed(circle[0], 6)} ${fixed(circle[1], 6)} ${fixed(circle[2], 4)}` };
    hints.POLYGON = { max: coveringPolygon(circle).join(' ') };
  }
  const band = bandOf(frames);
  if (band) hints.BAND = { min: band[0].toPrecision(4), max: band[1].toPrecision(4) };
  const time = timeOf(frames);
  if (time) hints.TIME = { min: fixed(time[0], 6), max: fixed(time[1], 6) };
  return hints;
}

export interface ProcDescriptorInput {
  /** XML ID for the descriptor (an NCName unique in the document). */
  xmlId: string;
  /** The dataset DID, fixed as the descriptor's ID. */
  datasetId: string;
  label: string;
  syncUrl: string;
  asyncUrl: string;
  sodaParams: readonly SodaParamDecl[];
  hints: Record<string, ParamHints>;
}

/** The SODA sync descriptor for one dataset (pyvo's DatalinkRecord.processed() uses the sync one). */
export function procDescriptor(p: ProcDescriptorInput): string {
  return serviceDescriptor({
    id: p.xmlId,
    name: p.xmlId,
    description: `SODA reduction of ${p.label} with 2dFdr. The same parameters POSTed to ${p.asyncUrl} run it as a UWS job.`,
    accessUrl: p.syncUrl,
    standardId: sodaSyncStandardId,
    inputParams: sodaInputParams(p.sodaParams, { id: p.datasetId, hints: p.hints }),
  });
}
