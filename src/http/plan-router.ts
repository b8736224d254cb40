// The full reduction plan of a job, GET /soda/async/{id}/plan, in XML (urn:drsoda:plan, the default) or JSON
// (?format=json, or Accept: application/json). The job document's jobInfo holds only a summary linking here, so
// polling the job stays cheap however many steps the plan has. Read-checked like the UWS routes (404 otherwise).
import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import { usageError } from '../errors.js';
import { planToJson } from '../planner/render-json.js';
import type { JobList } from '../uws/job-list.js';
import { planXml } from '../vo/plan-xml.js';
import { answeredConditionally } from './conditional.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface PlanRouterDeps {
  jobs: JobList;
  identify: IdentifyCaller;
}

const formats = { xml: 'text/xml', json: 'application/json' } as const;
type Format = keyof typeof formats;

/** ?format= (or FORMAT=, as DALI names are case-insensitive) wins; else the Accept header; else XML. */
function formatOf(req: Request): Format {
  const q = Object.entries(req.query).filter(([k]) => k.toLowerCase() === 'format').map(([, v]) => v);
  if (q.length > 1 || (q.length === 1 && typeof q[0] !== 'string')) throw usageError('format may be given once');
  if (q.length === 1) {
    const v = String(q[0]).trim().toLowerCase();
    const f = (Object.keys(formats) as Format[]).find((k) => k === v || formats[k] === v || (k === 'xml' && v === 'application/xml'));
    if (!f) throw usageError(`format must be xml or json (got ${JSON.stringify(q[0])})`);
    return f;
  }
  return req.accepts(['text/xml', 'application/xml', 'application/json']) === 'application/json' ? 'json' : 'xml';
}

export function createPlanRouter(d: PlanRouterDeps): Router {
  const r = Router();
  r.route('/:id/plan')
    .get(async (req, res) => {
      const format = formatOf(req);
      const plan = await d.jobs.plan(await d.identify(req), req.params.id);
      res.setHeader('Vary', 'Accept');
      // The plan is read rarely (not polled): a digest of the body is a cheap enough strong validator.
      const body = format === 'json' ? planToJson(plan) : planXml(plan);
      if (answeredConditionally(req, res, `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`)) return;
      res.type(formats[format] + '; charset=utf-8').send(body);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return r;
}
