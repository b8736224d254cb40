// The UWS 1.1 job list /soda/async (docs/uws.md) as the UI uses it: job documents parsed from XML, blocking
// WAIT for live phase changes, creation (PENDING, so the plan can be shown first), RUN, ABORT and DELETE.
import { childrenNamed, firstNamed, getXml, isNil, parseXml, postForm, request, type RequestOptions } from './http';
import { parsePlanSummary, type PlanSummaryView } from './plan';

export const JOBS_URL = '/soda/async';
export const finalPhases = ['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED'];
export const isFinal = (phase: string) => finalPhases.includes(phase);

export interface JobRef {
  id: string;
  phase: string;
  runId: string | null;
  ownerId: string | null;
  creationTime: string | null;
}

export interface JobResult {
  id: string;
  href: string;
  size: number | null;
  mimeType: string | null;
}

export interface Job extends JobRef {
  quote: string | null;
  startTime: string | null;
  endTime: string | null;
  executionDuration: number;
  destruction: string | null;
  parameters: Array<{ id: string; value: string }>;
  results: JobResult[];
  error: { type: string; message: string } | null;
  progress: { fraction: number | null; message: string } | null;
  /** The plan summary of jobInfo (the full plan is at plan.href). */
  plan: PlanSummaryView | null;
}

const text = (el: Element | null) => (isNil(el) ? null : (el!.textContent ?? '').trim());

export async function listJobs(o: { last?: number; phase?: string; cursorUrl?: string; signal?: AbortSignal } = {}): Promise<{ jobs: JobRef[]; next: string | null }> {
  const q = new URLSearchParams({ LAST: String(o.last ?? 50) });
  if (o.phase) q.set('PHASE', o.phase);
  const res = await request(o.cursorUrl ?? `${JOBS_URL}?${q}`, { signal: o.signal });
  const doc = parseXml(await res.text());
  // Keyset paging extension: the next page is a Link header (docs/uws.md).
  const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
  const jobs = childrenNamed(doc, 'jobref').map((el) => ({
    id: el.getAttribute('id') ?? '',
    phase: text(firstNamed(el, 'phase')) ?? 'UNKNOWN',
    runId: text(firstNamed(el, 'runId')),
    ownerId: text(firstNamed(el, 'ownerId')),
    creationTime: text(firstNamed(el, 'creationTime')),
  }));
  return { jobs, next: link ? link[1] : null };
}

export function parseJob(doc: Document): Job {
  const root = doc.documentElement;
  const errorEl = firstNamed(root, 'errorSummary');
  const progressEl = childrenNamed(root, 'progress').find((e) => e.namespaceURI === 'urn:drsoda:uws') ?? null;
  return {
    id: text(firstNamed(root, 'jobId')) ?? '',
    phase: text(firstNamed(root, 'phase')) ?? 'UNKNOWN',
    runId: text(firstNamed(root, 'runId')),
    ownerId: text(firstNamed(root, 'ownerId')),
    creationTime: text(firstNamed(root, 'creationTime')),
    quote: text(firstNamed(root, 'quote')),
    startTime: text(firstNamed(root, 'startTime')),
    endTime: text(firstNamed(root, 'endTime')),
    executionDuration: Number(text(firstNamed(root, 'executionDuration')) ?? 0),
    destruction: text(firstNamed(root, 'destruction')),
    parameters: childrenNamed(root, 'parameter').map((p) => ({ id: p.getAttribute('id') ?? '', value: (p.textContent ?? '').trim() })),
    results: childrenNamed(root, 'result').map((r) => ({
      id: r.getAttribute('id') ?? '',
      href: r.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? '',
      size: r.hasAttribute('size') ? Number(r.getAttribute('size')) : null,
      mimeType: r.getAttribute('mime-type'),
    })),
    error: errorEl ? { type: errorEl.getAttribute('type') ?? 'fatal', message: text(firstNamed(errorEl, 'message')) ?? '' } : null,
    progress: progressEl
      ? { fraction: progressEl.hasAttribute('fraction') ? Number(progressEl.getAttribute('fraction')) : null, message: (progressEl.textContent ?? '').trim() }
      : null,
    plan: parsePlanSummary(root),
  };
}

export const jobUrl = (id: string) => `${JOBS_URL}/${encodeURIComponent(id)}`;

export async function getJob(id: string, o: RequestOptions = {}): Promise<Job> {
  return parseJob(await getXml(jobUrl(id), o));
}

/**
 * Blocks until the job leaves `phase` or `seconds` pass (UWS 1.1 section 2.2.1.1), then returns the job.
 * The service caps WAIT (UWS_WAIT_MAX_S); the timeout leaves room for that.
 */
export async function waitJob(id: string, phase: string, seconds: number, signal?: AbortSignal): Promise<Job> {
  const q = new URLSearchParams({ WAIT: String(seconds), PHASE: phase });
  return parseJob(await getXml(`${jobUrl(id)}?${q}`, { signal, timeoutMs: (seconds + 30) * 1000 }));
}

/** POSTs the parameters to a job list; returns the new job (the 303 is followed to the job document). */
export async function createJob(listUrl: string, params: Array<[string, string]>, run: boolean): Promise<Job> {
  const res = await postForm(listUrl, run ? [...params, ['PHASE', 'RUN']] : params);
  return parseJob(parseXml(await res.text()));
}

export async function setPhase(id: string, phase: 'RUN' | 'ABORT'): Promise<Job> {
  const res = await postForm(`${jobUrl(id)}/phase`, [['PHASE', phase]]);
  return parseJob(parseXml(await res.text()));
}

export async function deleteJob(id: string): Promise<void> {
  // ACTION=DELETE by POST is what every UWS client can send (UWS 1.1 section 2.2.3.3).
  await postForm(jobUrl(id), [['ACTION', 'DELETE']]);
}

export async function jobErrorText(id: string): Promise<string> {
  const res = await request(`${jobUrl(id)}/error`);
  return res.text();
}
