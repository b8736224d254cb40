// The raw archive through GET /api/frames and /api/frame (docs/archive.md): pages followed to the end, and the
// nights and fields summarised from the frames, since the listing is the archive's one public index.
import type { FibreJson, FrameJson, FramesPageJson, FrameWithFibresJson } from '../../../src/domain/api-types';
import { getJson } from './http';

export type { FibreJson, FrameJson };

/** Every frame matching the filters, following `next` (1000 a page). */
export async function listFrames(filters: Record<string, string> = {}, signal?: AbortSignal): Promise<FrameJson[]> {
  const q = new URLSearchParams({ ...filters, limit: '1000' });
  let url: string | null = `/api/frames?${q}`;
  const out: FrameJson[] = [];
  while (url) {
    const page: FramesPageJson = await getJson<FramesPageJson>(url, { signal });
    out.push(...page.frames);
    url = page.next;
  }
  return out;
}

export const frameWithFibres = (id: string, signal?: AbortSignal) =>
  getJson<FrameWithFibresJson>(`/api/frame?ID=${encodeURIComponent(id)}`, { signal });

export interface NightSummary {
  night: string;
  frames: number;
  exposures: number;
  objectFrames: number;
  fields: number;
  arms: string[];
  gratings: string[];
}

export function summariseNights(frames: FrameJson[]): NightSummary[] {
  const by = new Map<string, FrameJson[]>();
  for (const f of frames) by.set(f.night, [...(by.get(f.night) ?? []), f]);
  return [...by.entries()]
    .map(([night, fs]) => ({
      night,
      frames: fs.length,
      exposures: new Set(fs.map((f) => f.run)).size,
      objectFrames: fs.filter((f) => f.ndfClass === 'MFOBJECT').length,
      fields: new Set(fs.filter((f) => f.field).map((f) => f.field)).size,
      arms: [...new Set(fs.map((f) => f.arm))].sort(),
      gratings: [...new Set(fs.map((f) => f.gratId))].sort(),
    }))
    .sort((a, b) => b.night.localeCompare(a.night));
}

export interface FieldSummary {
  night: string;
  field: string;
  fieldId: string;
  object: string;
  plates: number[];
  objectExposures: number;
  totalExposureS: number;
  arms: string[];
  /** Field centre (MEANRA/MEANDEC of its first object frame), degrees; null when not recorded. */
  raDeg: number | null;
  decDeg: number | null;
  frames: FrameJson[];
}

/** The 2dF configurations observed on a night with their object exposures. */
export function summariseFields(frames: FrameJson[]): FieldSummary[] {
  const by = new Map<string, FrameJson[]>();
  for (const f of frames) if (f.field && f.fieldId) by.set(f.field, [...(by.get(f.field) ?? []), f]);
  return [...by.entries()]
    .map(([field, fs]) => {
      const objects = fs.filter((f) => f.ndfClass === 'MFOBJECT');
      const runs = new Map(objects.map((f) => [f.run, f.exposedS]));
      return {
        night: fs[0].night,
        field,
        fieldId: fs[0].fieldId!,
        object: objects[0]?.object ?? fs[0].object,
        plates: [...new Set(fs.map((f) => f.plate).filter((p): p is 0 | 1 => p !== null))].sort(),
        objectExposures: runs.size,
        totalExposureS: [...runs.values()].reduce((a, b) => a + b, 0),
        arms: [...new Set(fs.map((f) => f.arm))].sort(),
        raDeg: (objects[0] ?? fs[0]).meanRaDeg,
        decDeg: (objects[0] ?? fs[0]).meanDecDeg,
        frames: fs,
      };
    })
    .sort((a, b) => a.field.localeCompare(b.field));
}

/** Targets (program fibres) and sky fibres of a frame's 2dF configuration. */
export function countFibres(fibres: FibreJson[]): { targets: number; sky: number; guide: number } {
  return {
    targets: fibres.filter((f) => f.type === 'P').length,
    sky: fibres.filter((f) => f.type === 'S').length,
    guide: fibres.filter((f) => f.type === 'F').length,
  };
}
