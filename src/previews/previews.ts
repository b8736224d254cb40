// Quick-look PNGs of reduced products, made on the server when a job's steps are done (docs/web.md): each
// product `<stem>.fits` of a step gets `<stem>.png` beside it in the product store, which DataLink lists as
// #preview (src/datalink/preview-lookup.ts looks for exactly that file) and /files/products serves to the product's owners.
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Plan } from '../domain/plan.js';
import type { Logger } from '../logger.js';
import type { ResultPublisher } from '../scheduler/ports.js';
import { previewFileName } from './preview-names.js';
import { renderProductPreview } from './product-preview.js';

/** Where products live: the execution engine's ProductStore (structurally, so tests can pass their own). */
export interface ProductFiles {
  file(stepId: string, fileName: string): string;
}

const isFits = (name: string) => /\.fits?$/i.test(name);
// One render per file at a time in this process, however many jobs finish with the same cached step.
const inFlight = new Map<string, Promise<string | null>>();

async function makePreview(products: ProductFiles, stepId: string, fileName: string): Promise<string | null> {
  const dest = products.file(stepId, previewFileName(fileName));
  if ((await stat(dest).catch(() => null))?.isFile()) return dest;
  const src = products.file(stepId, fileName);
  if (!(await stat(src).catch(() => null))?.isFile()) return null;
  const rendered = await renderProductPreview(src, fileName);
  if (!rendered) return null;
  // Written beside the product and renamed into place, so a reader never sees half a PNG.
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, rendered.png);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
  return dest;
}

/**
 * The path of the quick-look of a product, rendering it first if it does not exist yet; null when the product
 * is not a FITS file with a 2-D image, or is not in the store. Throws FitsError for a corrupt product.
 */
export function previewFor(products: ProductFiles, stepId: string, fileName: string): Promise<string | null> {
  if (!isFits(fileName)) return Promise.resolve(null);
  const key = `${stepId}/${fileName}`;
  let p = inFlight.get(key);
  if (!p) {
    p = makePreview(products, stepId, fileName).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}

/** Renders the missing previews of every product of a plan's steps; failures are logged, never thrown. */
export async function previewPlanProducts(products: ProductFiles, plan: Plan, log: Logger): Promise<{ made: number; failed: number; ms: number }> {
  const t0 = Date.now();
  let made = 0;
  let failed = 0;
  for (const step of plan.steps) {
    for (const fileName of step.products) {
      try {
        if (await previewFor(products, step.id, fileName)) made++;
      } catch (err) {
        failed++;
        log.warn({ stepId: step.id, fileName, err: (err as Error).message }, 'preview failed');
      }
    }
  }
  return { made, failed, ms: Date.now() - t0 };
}

/**
 * Wraps the engine's result publisher so a job's product previews exist before it turns COMPLETED (a client
 * that sees COMPLETED and asks DataLink finds its #preview rows). A preview that fails never fails the job.
 */
export function withPreviews(publish: ResultPublisher, products: ProductFiles, log: Logger): ResultPublisher {
  return async (jobId, plan) => {
    const r = await previewPlanProducts(products, plan, log);
    log.debug({ jobId, previews: r.made, failed: r.failed, ms: r.ms }, 'product previews ready');
    return publish(jobId, plan);
  };
}
