// DataLink 1.1 {links} at /soda/links (GET and POST, DALI-sync): ID repeatable, RESPONSEFORMAT VOTable only,
// answered as application/x-votable+xml;content=datalink. Whole-request errors are DALI error VOTables with the
// DataLink fault label (DataLink 1.1 section 3.4), not the service's usual text/plain.
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import type { AuthSettings } from '../config.js';
import { ServiceError, usageError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LinksService } from '../datalink/links-service.js';
import type { JobList } from '../uws/job-list.js';
import type { OwnerScope } from '../domain/job.js';
import { datalinkContentType, linksErrorVotable, linksVotable, type FaultLabel } from '../vo/datalink.js';
import { readDaliParams } from './dali-params.js';
import { toServiceError } from './errors.js';
import { methodNotAllowed } from './method-not-allowed.js';

export type ScopeOf = (req: Request) => Promise<OwnerScope>;

/**
 * Whose products a request may see. With `optional`, a request without credentials is answered too (raw
 * frames are public): in authenticated modes it sees no products. Credentials that are present but wrong,
 * or missing where they are required, give 401.
 */
export function createScopeOf(identify: IdentifyCaller, auth: Pick<AuthSettings, 'mode' | 'header'>, o: { optional: boolean }): ScopeOf {
  return async (req) => {
    const bare = req.get('authorization') === undefined && req.get(auth.header) === undefined;
    if (o.optional && auth.mode !== 'anonymous' && bare) return { kind: 'none' };
    const caller = await identify(req);
    return caller.admin ? { kind: 'all' } : { kind: 'owner', ownerId: caller.userId };
  };
}

/**
 * The Content-Type for RESPONSEFORMAT: absent or `votable` give the DataLink type; an explicit VOTable media type
 * is echoed as asked (DALI 1.1 section 3.3.3). Throws UsageError for anything else.
 */
export function linksContentType(format: string | undefined): string {
  if (format === undefined || format.trim() === '' || format.trim().toLowerCase() === 'votable') return datalinkContentType;
  const base = format.split(';')[0].trim().toLowerCase();
  if (base === 'application/x-votable+xml' || base === 'text/xml') return format.trim();
  throw usageError(`RESPONSEFORMAT ${JSON.stringify(format)} is not supported; use application/x-votable+xml (or votable)`);
}

const faultOf = (e: ServiceError): FaultLabel =>
  e.label === 'NotFoundFault' ? 'NotFoundFault' : e.label === 'ServiceUnavailable' || e.label === 'RateLimited' ? 'TransientFault' : e.status >= 500 ? 'FatalFault' : 'UsageFault';

/** Renders errors of the DataLink routes as VOTable error documents with the fault label and the DALI status. */
export function linksErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    // Unknown errors become FatalFault, a database restart TransientFault with Retry-After (http/errors.ts).
    const se = toServiceError(err);
    if (se.status >= 500 && !(err instanceof ServiceError)) log.error({ err, path: req.path }, 'links request failed');
    for (const [k, v] of Object.entries(se.headers)) res.setHeader(k, v);
    res.status(se.status).type('application/x-votable+xml').send(linksErrorVotable(faultOf(se), se.message));
  };
}

/** Sends a links document with the exact DataLink media type. */
function sendLinks(res: Response, type: string, xml: string): void {
  res.setHeader('Cache-Control', 'no-store');
  // A Buffer, so express does not append "; charset=utf-8" to the exact DataLink media type.
  res.setHeader('Content-Type', type);
  res.send(Buffer.from(xml, 'utf8'));
}

export interface LinksRouterDeps {
  links: LinksService;
  scopeOf: ScopeOf;
  log: Logger;
}

export function createLinksRouter(d: LinksRouterDeps): Router {
  const r = Router();
  r.route('/links')
    .all(async (req, res, next) => {
      if (!['GET', 'HEAD', 'POST'].includes(req.method)) return methodNotAllowed(['GET', 'HEAD', 'POST'])(req, res, next);
      const p = await readDaliParams(req);
      const type = linksContentType(p.get('RESPONSEFORMAT'));
      const ids = p.getAll('ID');
      if (ids.some((id) => id.trim() === '')) throw usageError('ID must not be empty');
      const answer = await d.links.links(ids, await d.scopeOf(req));
      sendLinks(res, type, linksVotable(answer));
    });
  r.use('/links', linksErrorHandler(d.log));
  return r;
}

export interface JobLinksRouterDeps {
  links: LinksService;
  jobs: JobList;
  identify: IdentifyCaller;
  /** Absolute URL of the job list, e.g. `${BASE_URL}/soda/async`. */
  jobsUrl: string;
  log: Logger;
}

/** GET /{jobs}/{id}/links: the DataLink document of a job's results, for those who may read the job. */
export function createJobLinksRouter(d: JobLinksRouterDeps): Router {
  const r = Router();
  r.route('/:id/links')
    .get(async (req, res) => {
      const caller = await d.identify(req);
      const job = await d.jobs.get(caller, req.params.id);
      const scope: OwnerScope = caller.admin ? { kind: 'all' } : { kind: 'owner', ownerId: caller.userId };
      const answer = await d.links.jobLinks(job, scope, { jobsUrl: d.jobsUrl });
      sendLinks(res, linksContentType((await readDaliParams(req)).get('RESPONSEFORMAT')), linksVotable(answer));
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  r.use('/:id/links', linksErrorHandler(d.log));
  return r;
}
