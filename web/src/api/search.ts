// The target search (GET /api/fibres) and a raw frame's FITS headers (GET /api/frame/header); docs/archive.md.
import type { FibreHitJson, FibreSearchJson, FrameHeaderJson } from '../../../src/domain/api-types';
import { getJson } from './http';

export type { FibreHitJson, FibreSearchJson, FrameHeaderJson };

/** What the search box asks: an object name, or a cone (degrees), or both. */
export interface TargetQuery {
  name?: string;
  ra?: string;
  dec?: string;
  sr?: string;
}

export function searchParams(q: TargetQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.name?.trim()) {
    p.set('NAME', q.name.trim());
    // Shorter than a trigram: match the start of the name instead of refusing.
    if (q.name.trim().length < 3) p.set('MATCH', 'prefix');
  }
  if (q.ra?.trim() || q.dec?.trim() || q.sr?.trim()) {
    p.set('RA', q.ra?.trim() ?? '');
    p.set('DEC', q.dec?.trim() ?? '');
    p.set('SR', q.sr?.trim() ?? '');
  }
  p.set('LIMIT', '500');
  return p;
}

export const searchFibres = (q: TargetQuery, signal?: AbortSignal) => getJson<FibreSearchJson>(`/api/fibres?${searchParams(q)}`, { signal });

export const frameHeader = (id: string, signal?: AbortSignal) =>
  getJson<FrameHeaderJson>(`/api/frame/header?ID=${encodeURIComponent(id)}`, { signal });

/** A 2dF fibre type letter in words. */
export const fibreTypes: Record<string, string> = { P: 'target', S: 'sky', F: 'guide', N: 'unused', U: 'unallocated' };
