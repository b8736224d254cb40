// UWS 1.1 documents (UWS-v1.1.xsd): job, job list, results and parameters. Literal uws:/xlink:/xsi:
// prefixes declared on every root, because pyvo and TOPCAT parse without namespace awareness
// (ivoa-notes 3.6, 8); element order as the XSD's sequences; xsi:nil for missing values.
import { XMLValidator } from 'fast-xml-parser';
import { fragment } from 'xmlbuilder2';
import type { Job, JobParameter, JobRef, JobResult } from '../domain/job.js';
import { amp, ampAttr, newDocument, ns, toXml, type XMLBuilder } from './xml.js';

const xmlnsNs = 'http://www.w3.org/2000/xmlns/';

/** Where the job's sub-resources live, so relative result and parameter links can be made absolute. */
export interface JobUrls {
  /** Absolute URL of the job list, e.g. https://host/soda/async */
  jobsUrl: string;
}

const jobUrl = (u: JobUrls, id: string) => `${u.jobsUrl}/${encodeURIComponent(id)}`;

/** The href a result is published under: its own absolute href, else its place under /results. */
export const resultHref = (u: JobUrls, jobId: string, r: Pick<JobResult, 'id' | 'href'>) =>
  r.href ?? `${jobUrl(u, jobId)}/results/${encodeURIComponent(r.id)}`;

/** The URL of an uploaded (byReference) parameter's content. */
export const parameterHref = (u: JobUrls, jobId: string, name: string) => `${jobUrl(u, jobId)}/parameters/${encodeURIComponent(name)}`;

function root(name: string, withVersion: boolean): { doc: XMLBuilder; el: XMLBuilder } {
  const doc = newDocument();
  const el = doc
    .ele(ns.uws, `uws:${name}`)
    .att(xmlnsNs, 'xmlns:xlink', ns.xlink)
    .att(xmlnsNs, 'xmlns:xsi', ns.xsi);
  // UWS 1.1 section 3: without version="1.1" clients assume 1.0 and never block (TOPCAT, pyvo).
  if (withVersion) el.att('version', '1.1');
  return { doc, el };
}

const child = (parent: XMLBuilder, name: string) => parent.ele(ns.uws, `uws:${name}`);
const nil = (parent: XMLBuilder, name: string) => child(parent, name).att(ns.xsi, 'xsi:nil', 'true');
const time = (d: Date) => d.toISOString();

function textOrNil(parent: XMLBuilder, name: string, v: string | null): void {
  if (v === null) nil(parent, name);
  else child(parent, name).txt(amp(v));
}

// An uploaded parameter is stored under its part name and shown as the URL of its content (UWS 2.2.3.2).
function fillParameters(el: XMLBuilder, u: JobUrls, jobId: string, params: readonly JobParameter[]): void {
  for (const p of params) {
    const pe = child(el, 'parameter').att('id', ampAttr(p.name));
    if (p.byReference) pe.att('byReference', 'true').txt(amp(parameterHref(u, jobId, p.value)));
    else pe.txt(amp(p.value));
  }
}

function fillResults(el: XMLBuilder, u: JobUrls, jobId: string, results: readonly JobResult[]): void {
  for (const r of results) {
    const re = child(el, 'result').att('id', ampAttr(r.id)).att(ns.xlink, 'xlink:type', 'simple').att(ns.xlink, 'xlink:href', ampAttr(resultHref(u, jobId, r)));
    if (r.size !== null) re.att('size', String(r.size));
    if (r.mimeType) re.att('mime-type', ampAttr(r.mimeType));
  }
}

/** Our progress report inside jobInfo, in our own namespace so it cannot clash with other content. */
const progressNs = 'urn:drsoda:uws';

/** The job document (GET /{jobs}/{id}); children in JobSummary order. */
export function jobXml(job: Job, u: JobUrls): string {
  const { doc, el } = root('job', true);
  child(el, 'jobId').txt(job.id);
  if (job.runId !== null) child(el, 'runId').txt(amp(job.runId));
  textOrNil(el, 'ownerId', job.ownerId);
  child(el, 'phase').txt(job.phase);
  textOrNil(el, 'quote', job.quote && time(job.quote));
  child(el, 'creationTime').txt(time(job.creationTime));
  textOrNil(el, 'startTime', job.startTime && time(job.startTime));
  textOrNil(el, 'endTime', job.endTime && time(job.endTime));
  child(el, 'executionDuration').txt(String(job.executionDuration));
  textOrNil(el, 'destruction', job.destruction && time(job.destruction));
  fillParameters(child(el, 'parameters'), u, job.id, job.parameters);
  fillResults(child(el, 'results'), u, job.id, job.results);
  // Only failed jobs carry an errorSummary: clients read its presence as failure (firefly #1914).
  if (job.error && job.phase === 'ERROR') {
    const es = child(el, 'errorSummary').att('type', job.error.type).att('hasDetail', 'true');
    child(es, 'message').txt(amp(job.error.message));
  }
  if (job.jobInfo !== null || job.progress) {
    const info = child(el, 'jobInfo');
    if (job.jobInfo !== null) info.import(fragment(job.jobInfo));
    if (job.progress) {
      const p = info.ele(progressNs, 'progress');
      if (job.progress.fraction !== null) p.att('fraction', String(job.progress.fraction));
      if (job.progress.message !== null) p.txt(amp(job.progress.message));
    }
  }
  return toXml(doc);
}

/** The job list (GET /{jobs}); jobref children in ShortJobDescription order (phase, runId, ownerId, creationTime). */
export function jobListXml(refs: readonly JobRef[], u: JobUrls): string {
  const { doc, el } = root('jobs', true);
  for (const r of refs) {
    const je = child(el, 'jobref').att('id', r.id).att(ns.xlink, 'xlink:href', jobUrl(u, r.id));
    child(je, 'phase').txt(r.phase);
    if (r.runId !== null) child(je, 'runId').txt(amp(r.runId));
    textOrNil(je, 'ownerId', r.ownerId);
    child(je, 'creationTime').txt(time(r.creationTime));
  }
  return toXml(doc);
}

/** GET /{jobs}/{id}/results: the global results element as root (the XSD gives it no version attribute). */
export function resultsXml(job: Pick<Job, 'id' | 'results'>, u: JobUrls): string {
  const { doc, el } = root('results', false);
  fillResults(el, u, job.id, job.results);
  return toXml(doc);
}

/** GET /{jobs}/{id}/parameters: the global parameters element as root. */
export function parametersXml(job: Pick<Job, 'id' | 'parameters'>, u: JobUrls): string {
  const { doc, el } = root('parameters', false);
  fillParameters(el, u, job.id, job.parameters);
  return toXml(doc);
}

/** Throws when s is not a well-formed XML fragment (checked before jobInfo is stored). */
export function checkXmlFragment(s: string): void {
  // xmlbuilder2's parser is lenient (it closes unclosed elements), so use a strict validator first.
  const v = XMLValidator.validate(`<jobInfo>${s}</jobInfo>`);
  if (v !== true) throw new Error(`jobInfo is not well-formed XML: ${v.err.msg} (line ${v.err.line})`);
  fragment(s).end();
}

/** The /error detail when the runner left none: a DALI error VOTable (DALI 1.1 section 4.4.3). */
export function errorVotable(message: string): string {
  const doc = newDocument();
  const vot = doc.ele(ns.votable, 'VOTABLE').att('version', '1.4');
  vot.ele(ns.votable, 'RESOURCE').att('type', 'results').ele(ns.votable, 'INFO').att('name', 'QUERY_STATUS').att('value', 'ERROR').txt(amp(message));
  return toXml(doc);
}
