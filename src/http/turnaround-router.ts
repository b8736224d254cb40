// GET /soda/async/{id}/turnaround: the latency record of an auto job of the archive watcher, per frame when the
// file landed, was ingested, planned, started and finished, with the seconds of each stage (docs/quick-turnaround.md).
// Read-checked like the UWS routes (owner, admin or a reader it is shared with; otherwise 404); a job made
// by hand has no record (404 NotFoundFault saying so).
import { Router, type Response } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import { notFound } from '../errors.js';
import type { JobList } from '../uws/job-list.js';
import type { TurnaroundRecords } from '../watch/turnaround.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface TurnaroundRouterDeps {
  turnaround: TurnaroundRecords;
  jobs: Pick<JobList, 'get'>;
  identify: IdentifyCaller;
}

export function createTurnaroundRouter(d: TurnaroundRouterDeps): Router {
  const r = Router();
  r.route('/:id/turnaround')
    .get(async (req, res: Response) => {
      const job = await d.jobs.get(await d.identify(req), req.params.id);
      const doc = await d.turnaround.ofJob(job.id);
      if (!doc) throw notFound(`job ${job.id} was not made by the archive watcher; it has no turnaround record`);
      res.setHeader('Cache-Control', 'no-store');
      res.json(doc);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return r;
}
