// SODA plans built once per distinct request and archive version, and reused by job creation: a pyvo script or
// a web form asking for the same frame a thousand times resolves its IDs and plans once (a job's start plans
// afresh with refresh(), which also renews the entry). An entry is the promise of the
// plan (concurrent requests share one build); a failed build is not kept. The whole cache
// is dropped when the archive version changes (src/archive/archive-changes.ts), and entries also expire after
// a minute, a bound on staleness should a change go unheard while the LISTEN connection was down.
import type { SodaRequest } from './request.js';
import type { SodaPlan } from './plan-request.js';

export interface CachedPlan {
  plan: SodaPlan;
  /**
   * The plan's jobInfo linking the full plan at planHref (a job's own URL, so it differs per job and is rendered
   * per call; null: no link).
   */
  jobInfo(planHref: string | null): string;
}

export interface PlanCache {
  /** The cached plan of this request, or build's; build is called at most once per key and archive version. */
  get(req: SodaRequest, build: () => Promise<SodaPlan>): Promise<CachedPlan>;
  /** build's plan, always built now, and kept for later get()s. */
  refresh(req: SodaRequest, build: () => Promise<SodaPlan>): Promise<CachedPlan>;
  size(): number;
}

export interface PlanCacheOptions {
  /** The archive version (undefined: changes cannot be heard now, so nothing is cached). */
  version: () => number | undefined;
  render: (s: SodaPlan, req: SodaRequest, planHref: string | null) => string;
  maxEntries?: number;
  ttlMs?: number;
  nowMs?: () => number;
}

/**
 * What the plan and its jobInfo depend on: IDs, TIME, the regions (a frame with no fibre in them is not planned)
 * and the reduction options. Bands and format only cut results.
 */
export const planKey = (req: SodaRequest): string => JSON.stringify([req.ids, req.timeMjd ?? null, req.spatial, req.options]);

export function createPlanCache(o: PlanCacheOptions): PlanCache {
  const maxEntries = o.maxEntries ?? 1000;
  const ttlMs = o.ttlMs ?? 60_000;
  const now = o.nowMs ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<CachedPlan> }>();
  let cachedVersion: number | undefined;

  const wrap = (plan: SodaPlan, req: SodaRequest): CachedPlan => {
    return { plan, jobInfo: (href) => o.render(plan, req, href) };
  };

  const lookup = async (req: SodaRequest, build: () => Promise<SodaPlan>, fresh: boolean): Promise<CachedPlan> => {
    const version = o.version();
    if (version === undefined) return wrap(await build(), req);
    if (version !== cachedVersion) {
      entries.clear();
      cachedVersion = version;
    }
    const key = planKey(req);
    const hit = entries.get(key);
    const t = now();
    if (!fresh && hit && t - hit.at < ttlMs) {
      // Map order is insertion order: re-inserting keeps the most recently used last (LRU eviction below).
      entries.delete(key);
      entries.set(key, hit);
      return hit.value;
    }
    const value = build().then((plan) => wrap(plan, req));
    entries.delete(key);
    entries.set(key, { at: t, value });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };

  return {
    get: (req, build) => lookup(req, build, false),
    refresh: (req, build) => lookup(req, build, true),
    size: () => entries.size,
  };
}
