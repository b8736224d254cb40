// Reduced product files and their previews: GET|HEAD /files/products/<step id>/<file name>, for the owners of
// the jobs that used the step (admins: all). Others get the same 404 as for an absent file.
import path from 'node:path';
import { Router } from 'express';
import { openInsideRoot } from '../archive/safe-path.js';
import { notFound } from '../errors.js';
import type { ProductAccess } from '../datalink/product-access.js';
import { isProductFileName, isStepId } from '../datalink/product-ids.js';
import type { ScopeOf } from './links-router.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { sendFile } from './send-file.js';

export interface ProductFilesRouterDeps {
  products: ProductAccess;
  /** DATA_DIR/products, the execution engine's product store. */
  productsRoot: string;
  /** The caller's scope; unlike /soda/links, a request without credentials is refused in authenticated modes. */
  scopeOf: ScopeOf;
}

const missing = () => notFound('no such product');

export function createProductFilesRouter(d: ProductFilesRouterDeps): Router {
  const r = Router();
  r.get('/files/products/:stepId/:fileName', async (req, res) => {
    const { stepId, fileName } = req.params;
    if (!isStepId(stepId) || !isProductFileName(fileName)) throw missing();
    const scope = await d.scopeOf(req);
    // A preview `<stem>.png` is visible exactly when its product `<stem>.fits` is.
    const isPreview = /\.png$/i.test(fileName);
    const productName = isPreview ? fileName.replace(/\.png$/i, '.fits') : fileName;
    const product = await d.products.find(stepId, productName, scope);
    if (!product) throw missing();
    const file = await openInsideRoot(d.productsRoot, path.posix.join(stepId.slice(0, 2), stepId, fileName)).catch(() => {
      throw missing();
    });
    const etag = isPreview || !product.sha256 || file.size !== product.size
      ? `W/"${file.size.toString(16)}-${Math.floor(file.mtime.getTime()).toString(16)}"`
      : `"${product.sha256}"`;
    await sendFile(req, res, {
      handle: file.handle, size: file.size, etag, lastModified: file.mtime, fileName,
      contentType: isPreview ? 'image/png' : 'application/fits',
    });
  });
  r.all('/files/products/:stepId/:fileName', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
