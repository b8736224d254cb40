// Publisher DIDs and download URLs of reduced products (docs/datalink.md): a product is one file of one done
// step, and a step id is the planner's content hash, so the pair names the same bytes wherever it is cached.
//   ivo://<authority>/products?<step id>/<file name>       e.g. ivo://drsoda.example.org/products?3f2a.../26sep10033red.fits
import type { ProductRef } from '../domain/plan.js';
import { ServiceError, usageError } from '../errors.js';

export const PRODUCTS_RESOURCE = 'products';


/** Step ids are lower-case hex (sha256 prefixes); ProductStore accepts 8 to 64 digits. */
const stepIdRe = /^[0-9a-f]{8,64}$/;
/** 2dFdr product names: letters, digits, '_', '.', '+', '-', not starting with a dot; never a path. */
const fileNameRe = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,199}$/;

export const isProductFileName = (s: string) => fileNameRe.test(s);
export const isStepId = (s: string) => stepIdRe.test(s);

export function formatProductDid(authority: string, p: ProductRef): string {
  return `ivo://${authority}/${PRODUCTS_RESOURCE}?${p.stepId}/${p.fileName}`;
}

const didRe = /^ivo:\/\/([^/?#]+)\/([^?#]+)\?([^#]*)$/i;

/**
 * The product named by did, or null when did is not a products identifier (it may be a raw-archive one).
 * Throws UsageError when it is a malformed products identifier, NotFoundFault when it is another authority's.
 */
export function parseProductDid(authority: string, did: string): ProductRef | null {
  const m = didRe.exec(did);
  if (!m || m[2].toLowerCase() !== PRODUCTS_RESOURCE) return null;
  if (m[1].toLowerCase() !== authority.toLowerCase()) throw new ServiceError('NotFoundFault', `ID ${JSON.stringify(did)} belongs to authority ${m[1]}, not ${authority}`);
  const slash = m[3].indexOf('/');
  const stepId = slash < 0 ? '' : m[3].slice(0, slash);
  const fileName = slash < 0 ? '' : m[3].slice(slash + 1);
  if (!isStepId(stepId) || !isProductFileName(fileName)) {
    throw usageError(`ID ${JSON.stringify(did)} is not a drsoda product identifier (expected ivo://${authority}/${PRODUCTS_RESOURCE}?<step id>/<file name>)`);
  }
  return { stepId, fileName };
}

/** The download URL of a product (served by http/product-files-router.ts to the owners of jobs that used it). */
export function productFileUrl(baseUrl: string, p: ProductRef): string {
  return `${baseUrl}/files/products/${p.stepId}/${encodeURIComponent(p.fileName)}`;
}
