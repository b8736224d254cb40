// `drsoda plan --circle/--polygon/--pos`: the SODA regions applied as the service applies them at planning
// (soda/region-overlap.ts on the archive's fibre tables): object frames with no fibre target in any region are not
// planned, and the IDs left with nothing are listed as "no data" (their results would be text/plain).
import type { ArchiveService } from '../archive/archive-service.js';
import type { SpatialFilter } from '../cutout/filters.js';
import type { ArchivedFrame } from '../domain/frame.js';
import type { FieldSelector } from '../domain/plan.js';
import { describeRegions, overlapOfFibres, overlapsAny } from '../soda/region-overlap.js';
import { parseCircle, parsePolygon, parsePos } from '../soda/values.js';

export interface RegionOptions {
  circle: string[];
  polygon: string[];
  pos: string[];
}

export interface NoDataId {
  id: string;
  message: string;
}

/** The regions in the order CIRCLE, POLYGON, POS. Throws ServiceError UsageError for a malformed value. */
export function parseRegions(o: RegionOptions): SpatialFilter[] {
  return [
    ...o.circle.map((value) => ({ param: 'CIRCLE' as const, value, region: parseCircle('CIRCLE', value) })),
    ...o.polygon.map((value) => ({ param: 'POLYGON' as const, value, region: parsePolygon('POLYGON', value) })),
    ...o.pos.map((value) => ({ param: 'POS' as const, value, region: parsePos(value) })),
  ];
}

const configKey = (cfg: string) => cfg.trim().toLowerCase().replace(/\.sds$/, '');

/** Narrows the request to the frames whose fibres reach a region; unchanged without regions. */
export async function applyRegions(
  archive: ArchiveService,
  spatial: readonly SpatialFilter[],
  req: { frames: ArchivedFrame[]; frameIds: string[]; fields: FieldSelector[]; fieldIds: string[] },
): Promise<{ frames: ArchivedFrame[]; frameIds: string[]; fields: FieldSelector[]; noData: NoDataId[] }> {
  if (!spatial.length) return { frames: req.frames, frameIds: req.frameIds, fields: req.fields, noData: [] };
  const objectsOf = (s: FieldSelector) => req.frames.filter((f) => f.ndfClass === 'MFOBJECT' && f.night === s.night && configKey(f.cfgFile) === configKey(s.cfgFile));
  const candidates = [...new Set([...req.frameIds, ...req.fields.flatMap((s) => objectsOf(s).map((f) => f.id))])];
  const tables = new Map(await Promise.all(candidates.map(async (id) => [id, (await archive.frameWithFibres(id)).fibres] as const)));
  const overlap = overlapOfFibres(spatial, tables);
  const where = `inside ${describeRegions(spatial)}`;
  const byId = new Map(req.frames.map((f) => [f.id, f]));
  const noData: NoDataId[] = [];
  const frameIds = req.frameIds.filter((id) => {
    if (overlapsAny(overlap, id)) return true;
    noData.push({ id, message: `no fibre of ${byId.get(id)?.fileName ?? id} has its target ${where}` });
    return false;
  });
  const fields = req.fields.filter((s, i) => {
    const mine = objectsOf(s);
    if (!mine.length || mine.some((f) => overlapsAny(overlap, f.id))) return true;
    noData.push({ id: req.fieldIds[i], message: `no fibre of the ${mine.length} object exposure(s) of ${req.fieldIds[i]} has its target ${where}` });
    return false;
  });
  const asked = new Set(frameIds);
  const frames = req.frames.filter((f) => f.ndfClass !== 'MFOBJECT' || asked.has(f.id) || overlapsAny(overlap, f.id));
  return { frames, frameIds, fields, noData };
}
