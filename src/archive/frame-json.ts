// The JSON shape of frames in GET /api/frames, GET /api/frame and `drsoda frames --json`; pure.
import type { FibreHitJson, FibreJson, FrameHeaderJson, FrameJson } from '../domain/api-types.js';
import type { Hdu } from '../fits/index.js';
import type { FibreHit } from '../store/fibre-search-store.js';
import type { ArchivedFrame, Fibre } from '../domain/frame.js';
import { formatFieldDid } from './dids.js';

/** URL of the raw-file route for a frame (docs/archive.md). */
export function rawFileUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/files/raw?ID=${encodeURIComponent(id)}`;
}

export function frameJson(f: ArchivedFrame, o: { baseUrl: string; authority: string }): FrameJson {
  return {
    id: f.id,
    night: f.night,
    ccd: f.ccd,
    arm: f.arm,
    run: f.run,
    ndfClass: f.ndfClass,
    object: f.object,
    field: f.field,
    fieldId: f.cfgFile ? formatFieldDid(o.authority, { night: f.night, cfg: f.cfgFile }) : null,
    cfgFile: f.cfgFile,
    plate: f.plate,
    gratId: f.gratId,
    lambdaCAngstrom: f.lambdaCAngstrom,
    dispersionAngstromPerPx: f.dispersionAngstromPerPx,
    exposedS: f.exposedS,
    utStart: f.utStart,
    utMjd: f.utMjd,
    meanRaDeg: f.meanRaDeg,
    meanDecDeg: f.meanDecDeg,
    airmass: f.airmass ?? null,
    seeingArcsec: f.seeingArcsec ?? null,
    flaps: f.flaps,
    lampName: f.lampName,
    speed: f.speed,
    naxis1: f.naxis1,
    naxis2: f.naxis2,
    fileName: f.fileName,
    path: f.relPath,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
    mtime: f.mtime.toISOString(),
    url: rawFileUrl(o.baseUrl, f.id),
  };
}

/** Fibres with non-finite coordinates (parked buttons written as NaN) rendered as null, as JSON needs. */
export function fibreJson(x: Fibre): FibreJson {
  const fin = (v: number) => (Number.isFinite(v) ? v : null);
  return { fibre: x.fibre, name: x.name, type: x.type, raRad: fin(x.raRad), decRad: fin(x.decRad), pivot: x.pivot, magnitude: x.magnitude };
}

const deg = 180 / Math.PI;

/** A search match, in degrees and arcsec as users type them. */
export function fibreHitJson(h: FibreHit, authority: string): FibreHitJson {
  return {
    night: h.night,
    field: h.field,
    fieldId: formatFieldDid(authority, { night: h.night, cfg: h.cfgFile }),
    fibre: h.fibre,
    name: h.name,
    type: h.type,
    raDeg: h.raRad * deg,
    decDeg: h.decRad * deg,
    pivot: h.pivot,
    magnitude: h.magnitude,
    distanceArcsec: h.distanceRad === null ? null : h.distanceRad * deg * 3600,
    frames: h.frames,
  };
}

/** Header cards as JSON: bigints as numbers (exact below 2^53, which header integers are), undefined values as null. */
export function frameHeaderJson(f: ArchivedFrame, hdus: Hdu[]): FrameHeaderJson {
  return {
    id: f.id,
    fileName: f.fileName,
    hdus: hdus.map((h) => ({
      index: h.index,
      name: h.index === 0 ? 'PRIMARY' : (h.extname ?? `HDU ${h.index}`),
      cards: h.header.cards.map((c) => ({
        key: c.key,
        value: c.value === undefined ? null : typeof c.value === 'bigint' ? Number(c.value) : c.value,
        comment: c.comment ?? null,
      })),
    })),
  };
}
