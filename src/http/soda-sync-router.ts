// SODA {sync} (SODA 1.0 section 5; ivoa-notes 4, 9.8): GET and POST with the DALI parameters; 200 with the cut,
// 204 when it holds no data, text/plain "Label: message" errors with DALI codes (rendered by http/errors.ts).
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import type { SyncService } from '../soda/sync-service.js';
import { readDaliParams } from './dali-params.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface SodaSyncRouterDeps {
  sync: SyncService;
  identify: IdentifyCaller;
  /** Aborted at shutdown: waiting requests answer at once (503). */
  shutdown: AbortSignal;
}

export function createSodaSyncRouter(d: SodaSyncRouterDeps): Router {
  const r = Router();

  async function handle(req: Request, res: Response): Promise<void> {
    const caller = await d.identify(req);
    const params = await readDaliParams(req);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const answer = await d.sync.answer(caller, params.list, AbortSignal.any([gone.signal, d.shutdown]));
    res.setHeader('Cache-Control', 'no-store');
    if (answer.kind === 'nodata') {
      // SODA 1.0 section 5.1: a cut that contains no data is 204 with an empty body; say why in a header.
      res.setHeader('X-SODA-No-Data', answer.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 500));
      res.status(204).end();
      return;
    }
    try {
      // The media type as the client asked (DALI 3.3.3: text/xml stays text/xml).
      const asked = params.get('RESPONSEFORMAT')?.split(';')[0].trim().toLowerCase();
      res.status(200);
      res.setHeader('Content-Type', asked === 'text/xml' ? 'text/xml' : answer.contentType);
      res.setHeader('Content-Length', String(answer.size));
      res.setHeader('Content-Disposition', `inline; filename="${answer.fileName.replace(/["\\\r\n]/g, '_')}"`);
      if (req.method === 'HEAD') res.end();
      else await pipeline(createReadStream(answer.file), res).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && !res.destroyed) throw err;
      });
    } finally {
      await answer.remove();
    }
  }

  r.route('/').get(handle).post(handle).all(methodNotAllowed(['GET', 'HEAD', 'POST']));
  return r;
}
