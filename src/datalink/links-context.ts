// What the link builders share while one {links} request is answered: stores, URLs, the caller's scope, a
// per-request cache of night frame lists, descriptor numbering, and the row helpers for raw frames and products.
import { rawFileUrl } from '../archive/frame-json.js';
import type { Fibre, FrameRecord } from '../domain/frame.js';
import type { PipelinePresets } from '../planner/presets.js';
import type { Pool } from '../store/db.js';
import { listFibres, listFrames } from '../store/frame-store.js';
import type { ArchivedFrame } from '../domain/frame.js';
import type { OwnerScope } from '../domain/job.js';
import type { ProductFile } from '../store/link-store.js';
import type { LinkRow } from '../vo/datalink.js';
import type { SodaParamDecl } from '../vo/service-descriptor.js';
import { productFileUrl } from './product-ids.js';
import type { PipelineIdentity, ProductRef } from '../domain/plan.js';

/** A product's quick-look PNG, when one exists (docs/datalink.md#previews). */
export type PreviewLookup = (p: ProductRef) => Promise<{ url: string; size: number } | null>;

export interface LinksConfig {
  pool: Pool;
  authority: string;
  /** Absolute base URL clients see (BASE_URL). */
  baseUrl: string;
  presets: PipelinePresets;
  /** The engine's pipeline (Engine.pipeline): a frame's planned products are found by the step ids it gives. */
  pipeline: () => Promise<PipelineIdentity>;
  sodaParams: readonly SodaParamDecl[];
  previews: PreviewLookup;
  /** True when the service authenticates callers: product links then say link_auth=true. */
  authenticated: boolean;
}

export interface LinksContext extends LinksConfig {
  scope: OwnerScope;
  descriptors: string[];
  nextXmlId(prefix: string): string;
  /** Present frames of a night (every frame that may calibrate a requested one), read once per request. */
  nightFrames(night: string): Promise<ArchivedFrame[]>;
  /**
   * The fibre table of a frame's 2dF configuration (night, CFG_FILE, plate), read once per request: every
   * frame of one configuration carries the same allocation, and a table is 400 rows.
   */
  fibresOf(frame: FrameRecord): Promise<Fibre[]>;
}

// Every frame of a night is a possible calibrator; a night has a few thousand frames at most.
const maxFramesPerNight = 100_000;

export function createLinksContext(c: LinksConfig, scope: OwnerScope): LinksContext {
  const nights = new Map<string, Promise<ArchivedFrame[]>>();
  const fibres = new Map<string, Promise<Fibre[]>>();
  const counters = new Map<string, number>();
  return {
    ...c,
    scope,
    descriptors: [],
    nextXmlId: (prefix) => {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}-${n}`;
    },
    nightFrames: (night) => {
      let p = nights.get(night);
      if (!p) nights.set(night, (p = listFrames(c.pool, { night: [night] }, { limit: maxFramesPerNight, offset: 0 }).then((r) => r.frames)));
      return p;
    },
    fibresOf: (frame) => {
      // Frames without a configuration (biases, darks) are keyed by themselves.
      const key = frame.cfgFile ? `${frame.night}|${frame.cfgFile}|${frame.plate}` : frame.id;
      let p = fibres.get(key);
      if (!p) fibres.set(key, (p = listFibres(c.pool, frame.id)));
      return p;
    },
  };
}

const classNames: Record<string, string> = {
  BIAS: 'bias',
  DARK: 'dark',
  LFLAT: 'long-slit flat',
  MFFFF: 'fibre flat',
  MFARC: 'arc',
  MFOBJECT: 'object',
  MFSKY: 'offset sky',
  SFLAT: 'sky flat',
};

export const className = (ndfClass: string) => classNames[ndfClass] ?? ndfClass.toLowerCase();

/** The datalink/core calibration term for a raw frame by its class (DataLink 1.1 section 3.3: #bias, #dark, #flat). */
export function calibrationTerm(ndfClass: string): string {
  if (ndfClass === 'BIAS') return '#bias';
  if (ndfClass === 'DARK') return '#dark';
  if (ndfClass === 'LFLAT' || ndfClass === 'MFFFF' || ndfClass === 'SFLAT') return '#flat';
  return '#calibration';
}

export function describeFrame(f: Pick<FrameRecord, 'ndfClass' | 'fileName' | 'arm'> & { run?: number }): string {
  return `${className(f.ndfClass)} frame ${f.fileName} (${f.arm} arm${f.run === undefined ? '' : `, run ${f.run}`})`;
}

/** A row pointing at a raw file (raw files are public: link_auth false). */
export function rawRow(c: LinksContext, id: string, semantics: string, f: { id: string; sizeBytes: number }, description: string, localSemantics?: string): LinkRow {
  return {
    id, semantics, description, localSemantics,
    accessUrl: rawFileUrl(c.baseUrl, f.id), contentType: 'application/fits', contentLength: f.sizeBytes, linkAuth: 'false',
  };
}

/** What kind of data a product holds (DataLink 1.1 content_qualifier, product-type vocabulary). */
export function productQualifier(operation: string): string | undefined {
  if (['reduce_object', 'reduce_sky', 'reduce_arc', 'reduce_fflat', 'combine_spectra', 'splice'].includes(operation)) return '#spectrum';
  if (['reduce_bias', 'reduce_dark', 'reduce_lflat', 'combine_image'].includes(operation)) return '#image';
  return undefined;
}

/** The download row of a product, and its preview row when a quick-look image exists. */
export async function productRows(c: LinksContext, id: string, semantics: string, p: ProductFile, description: string): Promise<LinkRow[]> {
  const auth = c.authenticated ? 'true' : 'false';
  const rows: LinkRow[] = [{
    id, semantics, description,
    accessUrl: productFileUrl(c.baseUrl, p), contentType: 'application/fits', contentLength: p.size,
    contentQualifier: productQualifier(p.operation), localSemantics: p.operation, linkAuth: auth,
  }];
  const preview = await c.previews(p);
  if (preview) {
    rows.push({
      id, semantics: '#preview', description: `Quick-look image of ${p.fileName}`,
      accessUrl: preview.url, contentType: 'image/png', contentLength: preview.size, localSemantics: p.operation, linkAuth: auth,
    });
  }
  return rows;
}
