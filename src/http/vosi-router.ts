// VOSI endpoints that need no job machinery: availability (VOSI 1.1 section 3.2), GET only.
import { Router } from 'express';
import type { Pool } from '../store/db.js';
import { withTimeout } from '../store/db.js';
import { latestMigration } from '../store/health-store.js';
import { availabilityXml } from '../vo/availability.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface VosiDeps {
  pool: Pool;
  upSince: Date;
  /** True once shutdown has begun: availability then says so. */
  isShuttingDown: () => boolean;
  healthTimeoutMs?: number;
}

export function createVosiRouter(d: VosiDeps): Router {
  const r = Router();
  r.get('/availability', async (_req, res) => {
    const notes: string[] = [];
    let dbUp = false;
    try {
      const latest = await withTimeout(latestMigration(d.pool), d.healthTimeoutMs ?? 3000, 'database health check');
      dbUp = latest !== null;
      if (!dbUp) notes.push('database schema is not migrated');
    } catch (err) {
      notes.push(`database unreachable: ${(err as Error).message}`);
    }
    const stopping = d.isShuttingDown();
    if (stopping) notes.push('shutting down');
    if (dbUp && !stopping) notes.push('service is accepting requests');
    const xml = availabilityXml({ available: dbUp && !stopping, upSince: d.upSince, notes });
    res.type('text/xml; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.send(xml);
  });
  r.all('/availability', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
