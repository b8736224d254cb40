// VOSI endpoints that need no job machinery: availability (VOSI 1.1 section 3.2), GET only.
import { Router } from 'express';
import type { DatabaseHealth } from '../ops/health.js';
import { availabilityXml } from '../vo/availability.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface VosiDeps {
  databaseHealth: () => Promise<DatabaseHealth>;
  upSince: Date;
  /** True once shutdown has begun: availability then says so. */
  isShuttingDown: () => boolean;
}

export function createVosiRouter(d: VosiDeps): Router {
  const r = Router();
  r.get('/availability', async (_req, res) => {
    const notes: string[] = [];
    const db = await d.databaseHealth();
    const dbUp = db.up;
    if (db.note) notes.push(db.note);
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
