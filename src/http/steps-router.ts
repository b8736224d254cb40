// The step DAG of a UWS job as JSON, for the web front end and any client that wants more than the phase:
//   GET /soda/async/{id}/steps                  every step: state, attempts, timings, dependencies, products
//   GET /soda/async/{id}/steps/{step}/log       the step's 2dFdr log (text/plain, the last 256 KiB)
// Owner-checked exactly like the UWS routes (another owner's job is a 404), documented in docs/web.md.
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Response } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import { notFound } from '../errors.js';
import type { PreviewLookup } from '../datalink/links-context.js';
import { productFileUrl } from '../datalink/product-ids.js';
import type { StepView, StepViews } from '../scheduler/step-views.js';
import type { JobList } from '../uws/job-list.js';
import type { Caller, Job } from '../domain/job.js';
import type { StepJson, StepsJson } from '../domain/api-types.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface StepsRouterDeps {
  steps: StepViews;
  jobs: JobList;
  identify: IdentifyCaller;
  /** Absolute URL of the job list, e.g. `${config.baseUrl}/soda/async`. */
  jobsUrl: string;
  baseUrl: string;
  /** DATA_DIR: step logs live under DATA_DIR/logs, and only logs there are served. */
  dataDir: string;
  previews: PreviewLookup;
}

/** A log can be long (a 2dFdr arc fit is chatty): the end holds the error, so that is what is sent. */
export const LOG_TAIL_BYTES = 256 * 1024;

const stepIdRe = /^[0-9a-f]{8,64}$/;
const getOnly = methodNotAllowed(['GET', 'HEAD']);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function stepJson(s: StepView, o: { jobUrl: string; baseUrl: string; previews: PreviewLookup }): Promise<StepJson> {
  const products = await Promise.all(
    s.products.map(async (p) => {
      const preview = await o.previews({ stepId: s.id, fileName: p.fileName });
      return { fileName: p.fileName, size: p.size, url: productFileUrl(o.baseUrl, { stepId: s.id, fileName: p.fileName }), preview: preview?.url ?? null };
    }),
  );
  return {
    id: s.id,
    position: s.position,
    operation: s.operation,
    label: s.label,
    night: s.night,
    arm: s.arm,
    state: s.state,
    attempts: s.attempts,
    maxAttempts: s.maxAttempts,
    readyAt: iso(s.readyAt),
    startedAt: iso(s.startedAt),
    endedAt: iso(s.endedAt),
    durationMs: s.durationMs,
    estimatedCostS: s.estimatedCostS,
    dependsOn: s.dependsOn,
    exitCode: s.exitCode,
    failureKind: s.failureKind,
    errorMessage: s.errorMessage,
    runtime: s.runtime,
    pipeline: s.pipeline,
    log: s.hasLog ? `${o.jobUrl}/steps/${s.id}/log` : null,
    madeBy: s.madeBy,
    products,
  };
}

/** Reads at most the last `max` bytes of a file; null when it is gone. */
async function readTail(file: string, max: number): Promise<{ text: string; truncated: boolean } | null> {
  const fh = await open(file, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - max);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    return { text: buf.toString('utf8'), truncated: start > 0 };
  } finally {
    await fh.close();
  }
}

export function createStepsRouter(d: StepsRouterDeps): Router {
  const r = Router();
  const logsRoot = path.resolve(d.dataDir, 'logs');
  const visibleJob = async (res: Response, id: string): Promise<Job> => {
    const caller: Caller = await d.identify(res.req);
    return d.jobs.get(caller, id);
  };

  r.route('/:id/steps')
    .get(async (req, res) => {
      const job = await visibleJob(res, req.params.id);
      const jobUrl = `${d.jobsUrl}/${encodeURIComponent(job.id)}`;
      const views = await d.steps.ofJob(job.id);
      const steps = await Promise.all(views.map((s) => stepJson(s, { jobUrl, baseUrl: d.baseUrl, previews: d.previews })));
      const counts: Record<string, number> = {};
      for (const s of views) counts[s.state] = (counts[s.state] ?? 0) + 1;
      res.setHeader('Cache-Control', 'no-store');
      const body: StepsJson = { jobId: job.id, phase: job.phase, counts, steps };
      res.json(body);
    })
    .all(getOnly);

  r.route('/:id/steps/:stepId/log')
    .get(async (req, res) => {
      const job = await visibleJob(res, req.params.id);
      const stepId = req.params.stepId;
      const missing = () => notFound(`job ${job.id} has no log for step ${stepId}`);
      if (!stepIdRe.test(stepId)) throw missing();
      const logPath = await d.steps.logPath(job.id, stepId);
      // The path comes from the database; serve it only from the logs folder all the same.
      if (!logPath || !path.resolve(logPath).startsWith(logsRoot + path.sep)) throw missing();
      // Symlinks followed, it must still be a log: a link planted in the logs folder exposes nothing.
      const [realRoot, real] = await Promise.all([realpath(logsRoot).catch(() => null), realpath(logPath).catch(() => null)]);
      if (!realRoot || !real?.startsWith(realRoot + path.sep)) throw missing();
      const tail = await readTail(real, LOG_TAIL_BYTES);
      if (!tail) throw missing();
      res.setHeader('Cache-Control', 'no-store');
      res.type('text/plain; charset=utf-8');
      res.send(tail.truncated ? `[... the first part of the log is not shown ...]\n${tail.text}` : tail.text);
    })
    .all(getOnly);

  return r;
}
