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
  // The document depends only on the state and notes, which change rarely (upSince is fixed): render each once.
  const rendered = new Map<string, string>();
  const render = (available: boolean, notes: string[]) => {
    const key = `${available}\n${notes.join('\n')}`;
    let xml = rendered.get(key);
    if (xml === undefined) {
      xml = availabilityXml({ available, upSince: d.upSince, notes });
      // Notes carry database error messages: keep only a few documents.
      if (rendered.size >= 16) rendered.clear();
      rendered.set(key, xml);
    }
    return xml;
  };
  r.get('/availability', async (_req, res) => {
    const notes: string[] = [];
    const db = await d.databaseHealth();
    const dbUp = db.up;
    if (db.note) notes.push(db.note);
    const stopping = d.isShuttingDown();
    if (stopping) notes.push('shutting down');
    if (dbUp && !stopping) notes.push('service is accepting requests');
    const xml = render(dbUp && !stopping, notes);
    res.type('text/xml; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.send(xml);
  });
  r.all('/availability', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
