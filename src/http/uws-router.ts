// The UWS 1.1 REST binding (UWS 1.1 section 2.2; ivoa-notes 3 and 9) for one job list: thin handlers that
// parse DALI parameters, call one job-list method and render XML or text/plain. Every POST answers 303
// with an absolute Location built from BASE_URL, as TOPCAT and pyvo require.
import { Router, type Request, type Response } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import { notFound, usageError } from '../errors.js';
import type { JobCache } from '../uws/job-cache.js';
import type { JobList } from '../uws/job-list.js';
import type { Caller, Job } from '../domain/job.js';
import { decodeCursor, parseExecutionDuration, parseInstant, parseLast, parsePhaseAction, parsePhaseFilter, parseWait } from '../uws/uws-values.js';
import { errorVotable, jobListXml, jobRefFragments, jobXml, parametersXml, resultsXml } from '../vo/uws-xml.js';
import { answeredConditionally, createEtags } from './conditional.js';
import { readDaliParams, type DaliParams } from './dali-params.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface JobsRouterDeps {
  jobs: JobList;
  identify: IdentifyCaller;
  /** Absolute URL of this job list, e.g. `${config.baseUrl}/soda/async`. */
  jobsUrl: string;
  /** Cap on WAIT in seconds (UWS_WAIT_MAX_S). */
  waitMaxS: number;
  /** Aborted at shutdown: blocked WAITs answer at once. */
  shutdown: AbortSignal;
  /**
   * The process's job cache the fast lane answers from (uws/job-cache.ts): GET {job} and {job}/phase fill it, and
   * every change made here forgets the job before its answer is sent.
   */
  cache?: JobCache;
}

const caller = (res: Response) => res.locals.caller as Caller;
const getOrPost = methodNotAllowed(['GET', 'HEAD', 'POST']);
const getOnly = methodNotAllowed(['GET', 'HEAD']);

function sendXml(res: Response, xml: string): void {
  res.type('text/xml; charset=utf-8');
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  res.send(xml);
}

/** Control values as bare text: no trailing newline, empty body (still 200) when unset (ivoa-notes 9.5). */
function sendText(res: Response, value: string): void {
  res.type('text/plain; charset=utf-8');
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  res.send(value);
}

/** The job parameters of a request: everything but the UWS control parameters, in request order. */
const jobParameters = (p: DaliParams, control: string[]) => p.without(...control).map((x) => ({ name: x.name, value: x.value, byReference: false }));

export function createJobsRouter(d: JobsRouterDeps): Router {
  const r = Router();
  const { jobs } = d;
  const urls = { jobsUrl: d.jobsUrl };
  const jobUrl = (id: string) => `${d.jobsUrl}/${encodeURIComponent(id)}`;
  const params = (req: Request) => readDaliParams(req);
  const seeJob = (res: Response, id: string) => res.redirect(303, jobUrl(id));
  const etags = createEtags(d.jobsUrl);
  const jobRefs = jobRefFragments(urls);
  /** Answers 304/412 from the job's version when the request's conditions say so (docs/uws.md#conditional-requests). */
  const unchanged = (req: Request, res: Response, resource: string, job: Job) => answeredConditionally(req, res, etags.job(resource, job.version));

  r.use(async (req, res, next) => {
    res.locals.caller = await d.identify(req);
    next();
  });
  // Read-your-writes through the cache: whatever a POST or DELETE on a job did (even if it then failed), the job
  // is forgotten as the answer's head is written, after the change committed and before the client can ask again.
  r.use('/:id', (req, res, next) => {
    const cache = d.cache;
    if (cache && req.method !== 'GET' && req.method !== 'HEAD') {
      const id = req.params.id as string;
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: unknown[]) {
        cache.forget(id);
        return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
      } as typeof res.writeHead;
    }
    next();
  });

  r.route('/')
    .get(async (req, res) => {
      const p = await params(req);
      const phases = parsePhaseFilter(p.getAll('PHASE'));
      const after = p.get('AFTER');
      const cursor = p.get('CURSOR');
      const page = await jobs.list(caller(res), {
        phases,
        after: after === undefined ? undefined : parseInstant('AFTER', after),
        last: parseLast(p.get('LAST')),
        before: cursor === undefined ? undefined : decodeCursor(cursor),
      });
      if (page.next) {
        // Keyset paging extension (docs/uws.md): the next page keeps the filters and carries the cursor.
        const next = new URLSearchParams();
        for (const ph of phases ?? []) next.append('PHASE', ph);
        if (after !== undefined) next.set('AFTER', after);
        if (page.nextLast !== undefined) next.set('LAST', String(page.nextLast));
        next.set('CURSOR', page.next);
        res.setHeader('Link', `<${d.jobsUrl}?${next}>; rel="next"`);
      }
      if (answeredConditionally(req, res, etags.list(page.jobs, page.next))) return;
      sendXml(res, jobListXml(page.jobs, urls, jobRefs));
    })
    .post(async (req, res) => {
      const p = await params(req);
      const phase = p.get('PHASE');
      if (phase !== undefined && phase.trim().toUpperCase() !== 'RUN') throw usageError(`PHASE on job creation may only be RUN (got ${JSON.stringify(phase)})`);
      const duration = p.get('EXECUTIONDURATION');
      const destruction = p.get('DESTRUCTION');
      const job = await jobs.create(caller(res), {
        parameters: jobParameters(p, ['PHASE', 'EXECUTIONDURATION', 'DESTRUCTION']),
        runId: p.get('RUNID'),
        uploads: p.files.map((f) => ({ name: f.name, data: f.data })),
        executionDuration: duration === undefined ? undefined : parseExecutionDuration(duration),
        destruction: destruction === undefined ? undefined : parseInstant('DESTRUCTION', destruction),
        run: phase !== undefined,
      });
      seeJob(res, job.id);
    })
    .all(getOrPost);

  r.route('/:id')
    .get(async (req, res) => {
      const p = await params(req);
      const wait = p.get('WAIT');
      let job: Job;
      if (wait === undefined) {
        const ticket = d.cache?.ticket(req.params.id);
        job = await jobs.get(caller(res), req.params.id);
        const xml = jobXml(job, urls);
        if (ticket) d.cache!.store(ticket, { id: job.id, ownerId: job.ownerId, phase: job.phase, version: job.version, document: Buffer.from(xml) });
        if (unchanged(req, res, 'job', job)) return;
        return sendXml(res, xml);
      } else {
        const phase = parsePhaseFilter(p.getAll('PHASE'))?.[0];
        if (p.getAll('PHASE').length > 1) throw usageError('PHASE may be given only once with WAIT');
        // A client that goes away, or the process shutting down, ends the wait at once.
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        const signal = AbortSignal.any([gone.signal, d.shutdown]);
        job = await jobs.wait(caller(res), req.params.id, { seconds: Math.min(parseWait(wait), d.waitMaxS), phase, signal });
      }
      if (unchanged(req, res, 'job', job)) return;
      sendXml(res, jobXml(job, urls));
    })
    .post(async (req, res) => {
      const action = (await params(req)).get('ACTION');
      // DALI 1.1 section 5.1: the job URL takes no job parameters; UWS allows only ACTION=DELETE here.
      if (action?.trim().toUpperCase() !== 'DELETE') throw usageError('POST to a job URL takes only ACTION=DELETE');
      await jobs.delete(caller(res), req.params.id);
      res.redirect(303, `${d.jobsUrl}?LAST=10`);
    })
    .delete(async (req, res) => {
      await jobs.delete(caller(res), req.params.id);
      res.redirect(303, `${d.jobsUrl}?LAST=10`);
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'POST', 'DELETE']));

  r.route('/:id/phase')
    .get(async (req, res) => {
      const ticket = d.cache?.ticket(req.params.id);
      const job = await jobs.phase(caller(res), req.params.id);
      if (ticket) d.cache!.store(ticket, { id: req.params.id, ownerId: job.ownerId, phase: job.phase, version: job.version });
      if (!answeredConditionally(req, res, etags.job('phase', job.version))) sendText(res, job.phase);
    })
    .post(async (req, res) => {
      const action = parsePhaseAction((await params(req)).get('PHASE'));
      const id = req.params.id;
      if (action === 'RUN') await jobs.run(caller(res), id);
      else if (action === 'ABORT') await jobs.abort(caller(res), id);
      else await jobs.suspend(caller(res), id);
      seeJob(res, id);
    })
    .all(getOrPost);

  r.route('/:id/executionduration')
    .get(async (req, res) => sendText(res, String((await jobs.get(caller(res), req.params.id)).executionDuration)))
    .post(async (req, res) => {
      const seconds = parseExecutionDuration((await params(req)).get('EXECUTIONDURATION'));
      await jobs.setExecutionDuration(caller(res), req.params.id, seconds);
      seeJob(res, req.params.id);
    })
    .all(getOrPost);

  r.route('/:id/destruction')
    .get(async (req, res) => sendText(res, (await jobs.get(caller(res), req.params.id)).destruction?.toISOString() ?? ''))
    .post(async (req, res) => {
      const v = (await params(req)).get('DESTRUCTION');
      if (v === undefined) throw usageError('DESTRUCTION is required');
      await jobs.setDestruction(caller(res), req.params.id, parseInstant('DESTRUCTION', v));
      seeJob(res, req.params.id);
    })
    .all(getOrPost);

  r.route('/:id/quote')
    .get(async (req, res) => sendText(res, (await jobs.get(caller(res), req.params.id)).quote?.toISOString() ?? ''))
    .all(getOnly);

  r.route('/:id/owner')
    .get(async (req, res) => sendText(res, (await jobs.get(caller(res), req.params.id)).ownerId ?? ''))
    .all(getOnly);

  // DALI 1.1 section 5.2: the error document of a failed job is served with 200; otherwise 404.
  r.route('/:id/error')
    .get(async (req, res) => {
      const job = await jobs.get(caller(res), req.params.id);
      if (job.phase !== 'ERROR' || !job.error) throw notFound(`job ${job.id} has no error`);
      res.setHeader('Cache-Control', 'no-store');
      if (job.error.detail !== null) res.type(job.error.detailType ?? 'text/plain').send(job.error.detail);
      else res.type('application/x-votable+xml').send(errorVotable(job.error.message));
    })
    .all(getOnly);

  r.route('/:id/results')
    .get(async (req, res) => {
      const job = await jobs.get(caller(res), req.params.id);
      if (!unchanged(req, res, 'results', job)) sendXml(res, resultsXml(job, urls));
    })
    .all(getOnly);

  r.route('/:id/results/:rid')
    .get(async (req, res, next) => {
      const found = await jobs.result(caller(res), req.params.id, req.params.rid);
      if ('href' in found) return res.redirect(303, found.href);
      res.type(found.mimeType);
      res.sendFile(found.file, { dotfiles: 'allow' }, (err) => err && next(res.headersSent ? err : notFound(`result ${req.params.rid} is no longer available`)));
    })
    .all(getOnly);

  r.route('/:id/parameters')
    .get(async (req, res) => {
      const job = await jobs.get(caller(res), req.params.id);
      if (!unchanged(req, res, 'parameters', job)) sendXml(res, parametersXml(job, urls));
    })
    .post(async (req, res) => {
      const p = await params(req);
      if (p.has('PHASE') || p.has('ACTION')) throw usageError('PHASE and ACTION are not job parameters; POST them to /phase or the job URL');
      await jobs.updateParameters(caller(res), req.params.id, {
        parameters: jobParameters(p, []),
        runId: p.get('RUNID'),
        uploads: p.files.map((f) => ({ name: f.name, data: f.data })),
      });
      seeJob(res, req.params.id);
    })
    .all(getOrPost);

  r.route('/:id/parameters/:name')
    .get(async (req, res, next) => {
      const file = await jobs.upload(caller(res), req.params.id, req.params.name);
      res.type('application/octet-stream');
      res.sendFile(file, { dotfiles: 'allow' }, (err) => err && next(res.headersSent ? err : notFound(`upload ${req.params.name} is no longer available`)));
    })
    .all(getOnly);

  return r;
}
