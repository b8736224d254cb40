// Raw-archive routes: raw FITS files by DID or archive path (Range, ETag, HEAD), and the JSON listing.
//   GET|HEAD /files/raw?ID=<frame DID>           GET|HEAD /files/raw/<YYMMDD>/ccd_<N>/<file>.fits
//   GET /api/frames?night=&arm=&class=&field=&object=&limit=&offset=     GET /api/frame?ID=<frame DID>
//   GET /api/frame/header?ID=<frame DID>      GET /api/fibres?NAME=&MATCH=&RA=&DEC=&SR=&LIMIT= (target search)
import { type Request, type Response, Router } from 'express';
import type { ArchiveService, FrameFile } from '../archive/archive-service.js';
import { fibreHitJson, fibreJson, frameHeaderJson, frameJson } from '../archive/frame-json.js';
import { parseFibreQuery } from '../archive/fibre-query.js';
import { lowerCaseParams, parseFrameQuery } from '../archive/frame-query.js';
import { notFound, ServiceError, usageError } from '../errors.js';
import type { FibreSearchJson, FrameHeaderJson, FramesPageJson, FrameWithFibresJson } from '../domain/api-types.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { sendFile } from './send-file.js';

export interface FramesRouterDeps {
  archive: ArchiveService;
  baseUrl: string;
  authority: string;
}

/** The single ID parameter (name case-insensitive, DALI 1.1 section 3.1). */
function singleId(req: Request): string {
  const ids = lowerCaseParams(req.query as Record<string, unknown>).id ?? [];
  if (ids.length > 1) throw new ServiceError('MultiValuedParamNotSupported', 'one ID per request');
  if (!ids.length || !ids[0]) throw usageError('ID parameter is required');
  return ids[0] as string;
}

/**
 * The archive path below /files/raw, from the undecoded URL path. Each segment is decoded on its own
 * and must not decode to a separator, NUL or backslash ('%2F', '%5C', '%00'), so encoding cannot
 * create '..' steps or extra segments; archive-service then applies isSafeRelPath and the root check.
 */
function relPathOf(rawPath: string): string {
  const segments = rawPath.split('/').slice(1);
  return segments
    .map((s) => {
      let d: string;
      try {
        d = decodeURIComponent(s);
      } catch {
        throw notFound('no such file in the archive');
      }
      if (/[/\\\0]/.test(d)) throw notFound('no such file in the archive');
      return d;
    })
    .join('/');
}

async function send(req: Request, res: Response, file: FrameFile): Promise<void> {
  await sendFile(req, res, {
    handle: file.handle,
    size: file.size,
    etag: file.etag,
    lastModified: file.mtime,
    contentType: 'application/fits',
    fileName: file.frame.fileName,
    reprDigest: file.asIndexed ? `sha-256=:${Buffer.from(file.frame.sha256, 'hex').toString('base64')}:` : undefined,
  });
}

export function createFramesRouter(d: FramesRouterDeps): Router {
  const r = Router();
  const o = { baseUrl: d.baseUrl, authority: d.authority };

  r.use('/files/raw', async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(['GET', 'HEAD'])(req, res, next);
    const file = req.path === '/' ? await d.archive.openFrame(singleId(req)) : await d.archive.openPath(relPathOf(req.path));
    await send(req, res, file);
  });

  r.get('/api/frames', async (req, res) => {
    const raw = lowerCaseParams(req.query as Record<string, unknown>);
    const q = parseFrameQuery(raw);
    const { total, frames } = await d.archive.list(q);
    let next: string | null = null;
    if (q.offset + frames.length < total) {
      const params = new URLSearchParams();
      for (const [k, vs] of Object.entries(raw)) if (k !== 'offset') for (const v of vs ?? []) params.append(k, String(v));
      params.set('offset', String(q.offset + frames.length));
      next = `${d.baseUrl}/api/frames?${params}`;
    }
    res.setHeader('Cache-Control', 'no-store');
    const body: FramesPageJson = { total, offset: q.offset, limit: q.limit, next, frames: frames.map((f) => frameJson(f, o)) };
    res.json(body);
  });
  r.all('/api/frames', methodNotAllowed(['GET', 'HEAD']));

  r.get('/api/frame', async (req, res) => {
    const { frame, fibres } = await d.archive.frameWithFibres(singleId(req));
    res.setHeader('Cache-Control', 'no-store');
    const body: FrameWithFibresJson = { ...frameJson(frame, o), fibres: fibres.map(fibreJson) };
    res.json(body);
  });
  r.all('/api/frame', methodNotAllowed(['GET', 'HEAD']));

  r.get('/api/frame/header', async (req, res) => {
    const { frame, hdus } = await d.archive.frameHeaders(singleId(req));
    res.setHeader('Cache-Control', 'no-store');
    const body: FrameHeaderJson = frameHeaderJson(frame, hdus);
    res.json(body);
  });
  r.all('/api/frame/header', methodNotAllowed(['GET', 'HEAD']));

  r.get('/api/fibres', async (req, res) => {
    const q = parseFibreQuery(lowerCaseParams(req.query as Record<string, unknown>));
    const { hits, truncated } = await d.archive.searchFibres(q);
    res.setHeader('Cache-Control', 'no-store');
    const body: FibreSearchJson = { limit: q.limit, truncated, hits: hits.map((h) => fibreHitJson(h, d.authority)) };
    res.json(body);
  });
  r.all('/api/fibres', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
