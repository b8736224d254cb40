// The JSON shape of frames in GET /api/frames, GET /api/frame and `drsoda frames --json`; pure.
import type { FibreJson, FrameJson } from '../domain/api-types.js';
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
