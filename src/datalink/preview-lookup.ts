// Quick-look images of products on disk (docs/datalink.md#previews): `<product stem>.png` in the product's step
// folder of the product store. Whoever makes previews (the web front end) writes them there; links only look.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PreviewLookup } from './links-context.js';
import { previewFileName } from '../previews/preview-names.js';
import { productFileUrl } from './product-ids.js';
import type { ProductRef } from '../domain/plan.js';

/** Where the preview of a product lives under the product store root (DATA_DIR/products). */
export function previewPath(productsRoot: string, p: ProductRef): string {
  return path.join(productsRoot, p.stepId.slice(0, 2), p.stepId, previewFileName(p.fileName));
}

export function createFilePreviewLookup(productsRoot: string, baseUrl: string): PreviewLookup {
  return async (p) => {
    const st = await stat(previewPath(productsRoot, p)).catch(() => null);
    if (!st?.isFile()) return null;
    return { url: productFileUrl(baseUrl, { stepId: p.stepId, fileName: previewFileName(p.fileName) }), size: st.size };
  };
}
