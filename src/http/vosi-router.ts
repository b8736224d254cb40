// VOSI endpoints that need no job machinery: availability (VOSI 1.1 section 3.2), GET only. The document comes
// from the background health state (ops/health.ts), so a request never waits on the database.
import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { HealthMonitor } from '../ops/health.js';
import { availabilityXml } from '../vo/availability.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface VosiDeps {
  health: Pick<HealthMonitor, 'current' | 'check'>;
  upSince: Date;
  /** True once shutdown has begun: availability then says so. */
  isShuttingDown: () => boolean;
}

/** One availability document, ready to send, with its (weak, as express makes them) entity tag. */
export interface AvailabilityAnswer {
  body: Buffer;
  etag: string;
}

export interface Availability {
  /** The answer now, from the latest health state; undefined before the first check has finished. */
  now(): AvailabilityAnswer | undefined;
  /** The answer, waiting for the first check when needed. */
  next(): Promise<AvailabilityAnswer>;
}

export function createAvailability(d: VosiDeps): Availability {
  // The document depends only on the state and notes, which change rarely (upSince is fixed): render each once.
  const rendered = new Map<string, AvailabilityAnswer>();
  const render = (db: { up: boolean; note?: string }): AvailabilityAnswer => {
    const notes: string[] = [];
    if (db.note) notes.push(db.note);
    const stopping = d.isShuttingDown();
    if (stopping) notes.push('shutting down');
    if (db.up && !stopping) notes.push('service is accepting requests');
    const available = db.up && !stopping;
    const key = `${available}\n${notes.join('\n')}`;
    let answer = rendered.get(key);
    if (answer === undefined) {
      const body = Buffer.from(availabilityXml({ available, upSince: d.upSince, notes }));
      const etag = `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;
      answer = { body, etag };
      // Notes carry database error messages: keep only a few documents.
      if (rendered.size >= 16) rendered.clear();
      rendered.set(key, answer);
    }
    return answer;
  };
  return {
    now() {
      const db = d.health.current();
      return db && render(db);
    },
    next: async () => render(await d.health.check()),
  };
}

export function createVosiRouter(availability: Availability): Router {
  const r = Router();
  r.get('/availability', async (_req, res) => {
    const a = availability.now() ?? (await availability.next());
    res.type('text/xml; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.setHeader('ETag', a.etag);
    res.send(a.body.toString());
  });
  r.all('/availability', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
