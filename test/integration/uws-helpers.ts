// Small HTTP helpers for the UWS tests: form POSTs without following redirects, and namespace-stripped parsing.
import { XMLParser } from 'fast-xml-parser';

export type Form = Array<[string, string]> | Record<string, string>;

const toBody = (form: Form) => new URLSearchParams(Array.isArray(form) ? form : Object.entries(form)).toString();

/** POSTs an urlencoded form; redirects are not followed, so 303s and their Location can be asserted. */
export async function postForm(url: string, form: Form, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: toBody(form),
  });
}

/** Creates a job and returns its URL (the 303 Location). */
export async function createJob(jobsUrl: string, form: Form, headers: Record<string, string> = {}): Promise<string> {
  const res = await postForm(jobsUrl, form, headers);
  if (res.status !== 303) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return res.headers.get('location')!;
}

export async function getText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; res: Response }> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text(), res };
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['parameter', 'result', 'jobref'].includes(name),
  parseTagValue: false,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = any;

export function parseXml(xml: string): Doc {
  return parser.parse(xml);
}

/** GET the job document and parse it. */
export async function getJob(jobUrl: string, headers: Record<string, string> = {}): Promise<{ xml: string; job: Doc }> {
  const r = await getText(jobUrl, headers);
  if (r.status !== 200) throw new Error(`GET ${jobUrl} answered ${r.status}: ${r.body}`);
  return { xml: r.body, job: parseXml(r.body).job };
}

/** Blocks (WAIT) until the phase is final or `seconds` pass; returns the last phase. */
export async function waitFinal(jobUrl: string, seconds = 20, headers: Record<string, string> = {}): Promise<string> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const { job } = await getJob(`${jobUrl}?WAIT=5`, headers);
    if (!['PENDING', 'QUEUED', 'EXECUTING'].includes(job.phase) || Date.now() > until) return job.phase;
  }
}

export const isoMs = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
