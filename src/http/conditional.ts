// Conditional GET for job resources (RFC 9110 section 13): ETags made from the store's job versions, so a
// request whose If-None-Match still matches is answered 304 before anything is rendered.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { version as packageVersion } from '../version.js';
import { evaluatePreconditions } from './byte-range.js';

/**
 * Makes strong ETags for one job list's resources. A version names the state of a job, but the bytes also depend
 * on the software that writes them and on the URLs inside (BASE_URL): both go into the tag, so equal tags mean
 * equal bytes, as a strong validator must (RFC 9110 section 8.8.1).
 */
export function createEtags(jobsUrl: string) {
  const build = createHash('sha256').update(`${packageVersion}\n${jobsUrl}`).digest('base64url').slice(0, 8);
  return {
    /** One job's resource (the job document, /phase) at a job version. */
    job: (resource: string, version: string) => `"${resource}.${version}.${build}"`,
    /**
     * A page of the job list: a digest of the (id, version) pairs it shows and of the next-page cursor, so any
     * change to a listed job, a job joining or leaving the page, or a new next page gives another tag.
     */
    list: (rows: ReadonlyArray<{ id: string; version: string }>, next: string | undefined) => {
      const h = createHash('sha256');
      for (const r of rows) h.update(`${r.id}:${r.version}\n`);
      h.update(next ?? '');
      return `"jobs.${h.digest('base64url').slice(0, 22)}.${build}"`;
    },
  };
}

export type Etags = ReturnType<typeof createEtags>;

/**
 * Sets the validators and caching rule of a per-caller job resource and answers 304 (or 412 for a failed
 * If-Match) when the request's conditions say so; returns true when the response was sent.
 * `private, no-cache`: a browser may keep the document but must revalidate it every time; shared caches may not
 * keep it at all (who may read a job depends on the caller).
 */
export function answeredConditionally(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  const pre = evaluatePreconditions(req.headers as Record<string, string | undefined>, { etag });
  if (pre === 'proceed') return false;
  res.status(pre === 'not-modified' ? 304 : 412).end();
  return true;
}
