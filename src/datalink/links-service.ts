// The DataLink {links} service: which rows each ID gets (docs/datalink.md). Raw frames, fields and nights come
// from the archive index and the planner, products from the execution engine's steps; an unknown ID gets a
// NotFoundFault row and a malformed one a UsageFault row, so one bad ID never fails the others.
import { parseDid } from '../archive/dids.js';
import { ServiceError } from '../errors.js';
import type { OwnerScope } from '../domain/job.js';
import { derivedProducts, type DerivedProduct } from '../store/link-store.js';
import { loadJobPlan } from '../store/step-store.js';
import type { Job } from '../domain/job.js';
import { errorRow, type LinkRow } from '../vo/datalink.js';
import type { JobUrls } from '../vo/uws-xml.js';
import { frameLinks } from './frame-links.js';
import { jobResultLinks } from './job-links.js';
import { createLinksContext, type LinksConfig, type LinksContext } from './links-context.js';
import { parseProductDid } from './product-ids.js';
import { productLinks } from './product-links.js';
import { selectionLinks } from './selection-links.js';

/**
 * IDs answered per request (DataLink 1.1 section 3.1 lets a service cap them; the rest are left out with
 * QUERY_STATUS=OVERFLOW and never split). pyvo sends 50 per batch, so it never hits the cap.
 */
export const MAX_LINKS_IDS = 100;

export interface LinksAnswer {
  rows: LinkRow[];
  descriptors: string[];
  status: 'OK' | 'OVERFLOW';
  message: string;
}

export interface LinksService {
  readonly maxIds: number;
  /** Rows for each ID (duplicates answered once, in first-seen order). Throws only on internal failures. */
  links(ids: readonly string[], scope: OwnerScope): Promise<LinksAnswer>;
  /** Rows for each result of a job the caller may read (none until it completes). */
  jobLinks(job: Job, scope: OwnerScope, urls: JobUrls): Promise<LinksAnswer>;
}

type Classified =
  | { id: string; kind: 'error'; row: LinkRow }
  | { id: string; kind: 'product'; stepId: string; fileName: string }
  | { id: string; kind: 'frame'; night: string }
  | { id: string; kind: 'selection'; ref: Extract<ReturnType<typeof parseDid>, { kind: 'field' | 'night' }> };

function classify(authority: string, id: string): Classified {
  try {
    const product = parseProductDid(authority, id);
    if (product) return { id, kind: 'product', ...product };
    const ref = parseDid(authority, id);
    return ref.kind === 'frame' ? { id, kind: 'frame', night: ref.night } : { id, kind: 'selection', ref };
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    return { id, kind: 'error', row: errorRow(id, e.label === 'NotFoundFault' ? 'NotFoundFault' : 'UsageFault', e.message) };
  }
}

async function linksOf(c: LinksContext, x: Classified, derived: Map<string, DerivedProduct[]>): Promise<LinkRow[]> {
  switch (x.kind) {
    case 'error':
      return [x.row];
    case 'product':
      return productLinks(c, x.id, x);
    case 'selection':
      return selectionLinks(c, x.id, x.ref);
    case 'frame': {
      const frame = (await c.nightFrames(x.night)).find((f) => f.id === x.id);
      if (!frame) return [errorRow(x.id, 'NotFoundFault', `no frame ${x.id} in the archive`)];
      return frameLinks(c, x.id, frame, derived.get(x.id) ?? []);
    }
  }
}

export function createLinksService(config: LinksConfig, o: { maxIds?: number } = {}): LinksService {
  const maxIds = o.maxIds ?? MAX_LINKS_IDS;
  return {
    maxIds,
    links: async (ids, scope) => {
      const unique = [...new Set(ids)];
      const taken = unique.slice(0, maxIds);
      const c = createLinksContext(config, scope);
      const classified = taken.map((id) => classify(config.authority, id));
      // One query for the products of every requested frame.
      const frameIds = classified.flatMap((x) => (x.kind === 'frame' ? [x.id] : []));
      const derived = new Map<string, DerivedProduct[]>();
      for (const p of await derivedProducts(config.pool, frameIds, scope)) derived.set(p.frameId, [...(derived.get(p.frameId) ?? []), p]);
      const rows: LinkRow[] = [];
      for (const x of classified) rows.push(...(await linksOf(c, x, derived)));
      const overflow = unique.length > taken.length;
      return {
        rows,
        descriptors: c.descriptors,
        status: overflow ? 'OVERFLOW' : 'OK',
        message: overflow
          ? `only the first ${maxIds} of ${unique.length} IDs were answered (at most ${maxIds} per request); ask again for the rest`
          : `${taken.length} ID(s), ${rows.length} link(s)`,
      };
    },
    jobLinks: async (job, scope, urls) => {
      const c = createLinksContext(config, scope);
      const rows = await jobResultLinks(c, job, await loadJobPlan(config.pool, job.id), urls);
      return { rows, descriptors: c.descriptors, status: 'OK', message: `job ${job.id} is ${job.phase}: ${job.results.length} result(s), ${rows.length} link(s)` };
    },
  };
}
