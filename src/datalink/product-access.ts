// Who may download a reduced product file (GET /files/products/...): the owners of the jobs that used its step
// (admins: all); what the router needs of the product to answer (size and checksum for the ETag).
import type { OwnerScope } from '../domain/job.js';
import type { Pool } from '../store/db.js';
import { findProduct } from '../store/link-store.js';

export interface VisibleProduct {
  size: number | null;
  sha256: string | null;
}

export interface ProductAccess {
  /** The product when this scope may see it; null when it does not exist or is another owner's. */
  find(stepId: string, fileName: string, scope: OwnerScope): Promise<VisibleProduct | null>;
}

export function createProductAccess(pool: Pool): ProductAccess {
  return { find: (stepId, fileName, scope) => findProduct(pool, stepId, fileName, scope) };
}
