// Keeps the product cache under its size limit: least-recently-used products of steps that no job
// references any more go first. Products of existing jobs stay until those jobs are destroyed, so a
// result or a link never vanishes before its job's destruction time.
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { cachedProductBytes, deleteUnreferencedStep, unreferencedSteps } from '../store/step-store.js';
import type { ProductStore } from './product-store.js';

export interface EvictionReport {
  before: number;
  after: number;
  evicted: number;
}

export async function evictProducts(pool: Pool, products: ProductStore, maxBytes: number, log: Logger): Promise<EvictionReport> {
  const before = await cachedProductBytes(pool);
  let total = before;
  let evicted = 0;
  while (total > maxBytes) {
    const batch = await unreferencedSteps(pool, 100);
    if (!batch.length) break;
    for (const s of batch) {
      if (total <= maxBytes) break;
      if (!(await deleteUnreferencedStep(pool, s.id))) continue;
      await products.remove(s.id);
      total -= s.bytes;
      evicted++;
    }
  }
  if (evicted) log.info({ evicted, beforeBytes: before, afterBytes: total, maxBytes }, 'product cache evicted');
  if (total > maxBytes) log.warn({ bytes: total, maxBytes }, 'product cache over its limit: every remaining product belongs to an existing job');
  return { before, after: total, evicted };
}
